/**
 * The frame of every page: top bar (tenant selector, user, sign-out), navigation, and the
 * main region. The main region renders the page only for the committed tenant: while a
 * switch runs it shows a neutral state, so no old-tenant content sits under the new name.
 */
import { useEffect, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { scopes } from '../../../src/contract/scopes.ts';
import { profileName } from '../api/console-api.ts';
import { TenantNavLink } from '../tenant/TenantLink.tsx';
import { TenantSelector } from '../tenant/TenantSelector.tsx';
import { decideUrlTenant, TENANT_QUERY_PARAM, withTenantParam } from '../tenant/url-tenant.ts';
import { Loading } from '../ui/states.tsx';
import { useConsole } from './console-context.ts';

const pages: { to: string; label: string; anyScope?: string[] }[] = [
  { to: '/', label: 'Overview' },
  { to: '/topology', label: 'Topology' },
  { to: '/scans', label: 'Scans' },
  { to: '/triage', label: 'Triage' },
  { to: '/unknowns', label: 'Unknowns' },
  { to: '/graph', label: 'Graph' },
  { to: '/rollout', label: 'Rollout', anyScope: [scopes.rolloutRead] },
  { to: '/audit', label: 'Audit', anyScope: [scopes.auditRead, scopes.auditFleet] },
];

export function Layout() {
  const ctx = useConsole();
  const { tenant, tenants, switching, switchError, profile, scopes: granted, expired } = ctx;
  const location = useLocation();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const raw = new URLSearchParams(location.search).get(TENANT_QUERY_PARAM);
  const decision = tenant ? decideUrlTenant(raw, tenant, tenants.map((t) => t.id)) : null;

  useEffect(() => {
    if (!decision || switching) return;
    if (decision.action === 'fill') {
      navigate({ pathname: location.pathname, search: withTenantParam(location.search, decision.tenant), hash: location.hash }, { replace: true });
    } else if (decision.action === 'switch') {
      const trigger = ctx.nextSwitchTrigger.current ?? 'deep-link';
      ctx.nextSwitchTrigger.current = null;
      void ctx.requestSwitch(decision.tenant, trigger);
    }
    // Only the address and the committed tenant drive this; the decision is derived from them.
  }, [location.search, location.pathname, tenant, switching]);

  const visiblePages = pages.filter((p) => !p.anyScope || p.anyScope.some((s) => granted.includes(s)));
  const main = (() => {
    if (switching) return <Loading label={`Switching to ${ctx.tenantName(switching.to)}…`} />;
    if (decision?.action === 'refuse') {
      return (
        <div className="state state-refused" role="alert" data-testid="tenant-refused">
          <h2>No access to this tenant</h2>
          <p>
            {decision.reason === 'malformed'
              ? 'This link names a tenant id that is not valid.'
              : `This link is for tenant “${decision.requested}”, which your account is not assigned to. Nothing of that tenant is shown.`}
          </p>
          <button
            type="button"
            onClick={() => navigate({ pathname: location.pathname, search: withTenantParam(location.search, tenant ?? '') }, { replace: true })}
          >
            Continue in {ctx.tenantName(tenant)}
          </button>
        </div>
      );
    }
    if (decision?.action !== 'keep') return <Loading />;
    return <Outlet />;
  })();

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Menu</span>
        </button>
        <span className="brand">tenantgate</span>
        <TenantSelector />
        <div className="user">
          <span className="user-name">{profileName(profile)}</span>
          <button type="button" className="link-button" onClick={() => void ctx.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="body">
        <nav id="primary-nav" aria-label="Primary" className={menuOpen ? 'nav open' : 'nav'}>
          <ul>
            {visiblePages.map((page) => (
              <li key={page.to}>
                <TenantNavLink to={page.to} onNavigate={() => setMenuOpen(false)}>
                  {page.label}
                </TenantNavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1} aria-busy={switching !== null} data-tenant={switching ? '' : (tenant ?? '')} data-state={switching ? 'switching' : 'ready'}>
          {switchError && (
            <div className="banner banner-error" role="alert" data-testid="switch-error">
              <span>{switchError}</span>
              <button type="button" className="link-button" onClick={ctx.dismissSwitchError}>
                Dismiss
              </button>
            </div>
          )}
          {expired && (
            <div className="banner banner-error" role="alert">
              <span>Your session expired.</span>
              <button type="button" className="link-button" onClick={ctx.signIn}>
                Sign in again
              </button>
            </div>
          )}
          {main}
        </main>
      </div>
    </div>
  );
}
