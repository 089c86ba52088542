/** A router link that carries the committed tenant in `?tenant=`, so shared links keep it. */
import type { ReactNode } from 'react';
import { Link, NavLink } from 'react-router-dom';
import { useConsole } from '../app/console-context.ts';
import { withTenantParam } from './url-tenant.ts';

function target(to: string, tenant: string | null): string {
  if (!tenant) return to;
  const [pathname, search = ''] = to.split('?');
  return `${pathname}${withTenantParam(search, tenant)}`;
}

export function TenantLink({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const { tenant } = useConsole();
  return (
    <Link to={target(to, tenant)} className={className}>
      {children}
    </Link>
  );
}

export function TenantNavLink({ to, children, onNavigate }: { to: string; children: ReactNode; onNavigate?: () => void }) {
  const { tenant } = useConsole();
  return (
    <NavLink to={target(to, tenant)} end={to === '/'} onClick={onNavigate} className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')}>
      {children}
    </NavLink>
  );
}
