/**
 * The tenant switch: optimistic selection → refresh grant with `tenant=` → confirm through
 * /console/tenants, /console/profile and /console/token/introspect → commit, or roll back
 * with an error. The session (ConsoleSession) is the one source of the committed tenant and
 * tokens; the URL is read from the router's window location at the moment it is needed.
 */
import type { QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, type Dispatch, type SetStateAction } from 'react';
import type { NavigateFunction } from 'react-router-dom';
import { defaultProfile } from '../../../src/contract/profile.ts';
import type { ApiClient, SwitchTrigger } from '../api/client.ts';
import { fetchProfile, fetchTenants, introspectToken } from '../api/console-api.ts';
import { describeError } from '../api/errors.ts';
import { refreshTokens } from '../auth/request-tokens.ts';
import type { ConsoleSession } from '../auth/session.ts';
import type { TokenSet } from '../auth/token-set.ts';
import { openCrossTabChannel, type CrossTabChannel } from '../tenant/cross-tab.ts';
import { withTenantParam } from '../tenant/url-tenant.ts';
import type { ConsoleState } from './console-context.ts';

export interface TenantSwitchDeps {
  session: ConsoleSession;
  client: ApiClient;
  queryClient: QueryClient;
  navigate: NavigateFunction;
  state: ConsoleState;
  setState: Dispatch<SetStateAction<ConsoleState>>;
  /** Settles when a silent refresh in flight is done: refresh tokens rotate, so never two grants at once. */
  silentRefresh: { current: Promise<unknown> | null };
  tabId: string;
}

export interface TenantSwitch {
  requestSwitch(to: string, trigger: SwitchTrigger): Promise<void>;
  /** True while a switch is running (a silent refresh waits for it). */
  inFlight(): boolean;
  tenantName(id: string | null): string;
  /** Trigger of the next switch the URL starts (a cross-tab follow). */
  nextSwitchTrigger: { current: SwitchTrigger | null };
}

/** The URL as it is now, with `tenant` as its tenant parameter. */
function hereWithTenant(tenant: string) {
  const here = window.location;
  return { pathname: here.pathname, search: withTenantParam(here.search, tenant), hash: here.hash };
}

export function useTenantSwitch({ session, client, queryClient, navigate, state, setState, silentRefresh, tabId }: TenantSwitchDeps): TenantSwitch {
  const running = useRef(false);
  const nextSwitchTrigger = useRef<SwitchTrigger | null>(null);
  const channel = useRef<CrossTabChannel | null>(null);
  const { tenants, phase } = state;

  const tenantName = useCallback((id: string | null) => (id ? (tenants.find((t) => t.id === id)?.displayName ?? id) : ''), [tenants]);

  const requestSwitch = useCallback(
    async (to: string, trigger: SwitchTrigger) => {
      const from = session.tenant;
      if (running.current || !from || !session.tokens || to === from) return;
      running.current = true;
      const startedAt = performance.now();
      setState((s) => ({ ...s, switching: { from, to }, switchError: null }));
      // Nothing of the old tenant may outlive this point: abort its requests, drop its cache.
      session.advanceGeneration();
      await queryClient.cancelQueries();
      queryClient.clear();
      await silentRefresh.current?.catch(() => undefined);
      const fromTokens: TokenSet | null = session.tokens;
      if (!fromTokens) {
        // Signed out meanwhile: there is nothing to switch.
        running.current = false;
        setState((s) => ({ ...s, switching: null }));
        return;
      }
      let candidate: TokenSet | null = null;
      try {
        candidate = await refreshTokens(fromTokens, to);
        if (candidate.tenant !== null && candidate.tenant !== to) throw new Error(`the Authority issued a token for ${candidate.tenant}`);
        const identity = { accessToken: candidate.accessToken, tenant: to };
        const [list, profile, introspection] = await Promise.all([
          fetchTenants(client, identity),
          fetchProfile(client, identity),
          introspectToken(client, defaultProfile.selectedTenantClaim, identity),
        ]);
        if (list.selectedTenant !== to) throw new Error(`the Authority reports ${list.selectedTenant} as the selected tenant`);
        if (!introspection.active) throw new Error('the new token is not active');
        if (introspection.tenant !== to) throw new Error(`the new token carries tenant ${introspection.tenant ?? '(none)'}`);
        session.commit(candidate, to);
        queryClient.clear();
        setState((s) => ({ ...s, tenant: to, tenants: list.tenants, profile, scopes: candidate?.scopes ?? s.scopes, switching: null, switchError: null }));
        navigate(hereWithTenant(to), { replace: true });
        client.sendTelemetry([{ kind: 'tenant_switch', fromTenant: from, toTenant: to, trigger }]);
        // A switch followed from another tab is not announced again.
        if (trigger !== 'cross-tab') channel.current?.announce(to);
        performance.measure('tenant-switch', { start: startedAt, end: performance.now(), detail: { from, to } });
      } catch (err) {
        // Roll back: the old tenant's token stays; a refresh token rotated by the attempt replaces the old one.
        session.advanceGeneration();
        if (candidate?.refreshToken) session.replaceTokens({ ...fromTokens, refreshToken: candidate.refreshToken });
        queryClient.clear();
        navigate(hereWithTenant(from), { replace: true });
        setState((s) => ({
          ...s,
          switching: null,
          switchError: `Could not switch to ${tenantName(to)}: ${describeError(err)}. You are still working in ${tenantName(from)}.`,
        }));
      } finally {
        running.current = false;
      }
    },
    [client, navigate, queryClient, session, setState, silentRefresh, tenantName],
  );

  // Follow switches committed in other tabs (see tenant/cross-tab.ts): the URL starts the switch.
  useEffect(() => {
    if (phase !== 'ready') return;
    const opened = openCrossTabChannel(tabId, (tenant) => {
      if (session.tenant === tenant || !tenants.some((t) => t.id === tenant)) return;
      nextSwitchTrigger.current = 'cross-tab';
      navigate(hereWithTenant(tenant));
    });
    channel.current = opened;
    return () => {
      opened.close();
      channel.current = null;
    };
  }, [navigate, phase, session, tabId, tenants]);

  const inFlight = useCallback(() => running.current, []);
  return { requestSwitch, inFlight, tenantName, nextSwitchTrigger };
}
