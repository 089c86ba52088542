/**
 * Owns the session: sign-in (code + PKCE), silent refresh, sign-out, and the tenant switch
 * (optimistic selection → refresh grant with `tenant=` → confirm through /console/tenants,
 * /console/profile and /console/token/introspect → commit, or roll back with an error).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { defaultProfile } from '../../../src/contract/profile.ts';
import { ApiClient, type SwitchTrigger } from '../api/client.ts';
import { fetchProfile, fetchTenants, introspectToken } from '../api/console-api.ts';
import { describeError } from '../api/errors.ts';
import { refreshTokens } from '../auth/request-tokens.ts';
import { ConsoleSession } from '../auth/session.ts';
import { beginSignIn, completeSignIn, isCallbackPath } from '../auth/sign-in.ts';
import { revokeTokens } from '../auth/sign-out.ts';
import type { TokenSet } from '../auth/token-set.ts';
import { openCrossTabChannel, type CrossTabChannel } from '../tenant/cross-tab.ts';
import { withTenantParam } from '../tenant/url-tenant.ts';
import { ConsoleContext, type ConsoleState, type ConsoleValue } from './console-context.ts';

export const SIGNED_OUT_PATH = '/signed-out';
/** Refresh this long before the access token expires. */
const REFRESH_LEAD_MS = 60_000;
const MIN_REFRESH_DELAY_MS = 5_000;

const initialState: ConsoleState = {
  phase: 'starting',
  failure: null,
  tenant: null,
  tenants: [],
  profile: null,
  scopes: [],
  switching: null,
  switchError: null,
  expired: false,
};

export function ConsoleProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const session = useMemo(() => new ConsoleSession(), []);
  const client = useMemo(() => new ApiClient(session), [session]);
  const [state, setState] = useState<ConsoleState>(initialState);
  const started = useRef(false);
  const switchInFlight = useRef(false);
  // Refresh tokens rotate and a reused one revokes its whole family: never two grants at once.
  const silentRefresh = useRef<Promise<unknown> | null>(null);
  const nextSwitchTrigger = useRef<SwitchTrigger | null>(null);
  const channel = useRef<CrossTabChannel | null>(null);
  const tabId = useMemo(() => Math.random().toString(36).slice(2), []);
  const locationRef = useRef(location);
  locationRef.current = location;
  const stateRef = useRef(state);
  stateRef.current = state;

  const signIn = useCallback(() => {
    setState((s) => ({ ...s, phase: 'redirecting' }));
    const here = locationRef.current;
    const returnTo = here.pathname === SIGNED_OUT_PATH || isCallbackPath(here.pathname) ? '/' : `${here.pathname}${here.search}`;
    beginSignIn(returnTo).catch((err: unknown) => setState((s) => ({ ...s, phase: 'failed', failure: `Sign-in could not start: ${describeError(err)}` })));
  }, []);

  const establish = useCallback(
    async (tokens: TokenSet, returnTo: string) => {
      const provisional = tokens.tenant ?? '';
      const identity = { accessToken: tokens.accessToken, tenant: provisional };
      const [list, profile] = await Promise.all([fetchTenants(client, identity), fetchProfile(client, identity)]);
      const tenant = list.selectedTenant || provisional;
      session.commit(tokens, tenant);
      queryClient.clear();
      // Same tick as the state change, so the first ready render already sees the target page.
      navigate(returnTo, { replace: true });
      setState((s) => ({ ...s, phase: 'ready', failure: null, tenant, tenants: list.tenants, profile, scopes: tokens.scopes, expired: false }));
    },
    [client, navigate, queryClient, session],
  );

  // Start once: finish a sign-in redirect, or start one (tokens live in memory, so a fresh page has none).
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const here = window.location;
    if (here.pathname === SIGNED_OUT_PATH) {
      setState((s) => ({ ...s, phase: 'signed-out' }));
      return;
    }
    if (isCallbackPath(here.pathname)) {
      completeSignIn(here.search)
        .then(({ tokens, returnTo }) => establish(tokens, returnTo))
        .catch((err: unknown) => setState((s) => ({ ...s, phase: 'failed', failure: `Sign-in failed: ${describeError(err)}` })));
      return;
    }
    signIn();
  }, [establish, navigate, signIn]);

  const tenantName = useCallback(
    (id: string | null) => (id ? (stateRef.current.tenants.find((t) => t.id === id)?.displayName ?? id) : ''),
    [],
  );

  const requestSwitch = useCallback(
    async (to: string, trigger: SwitchTrigger) => {
      const from = session.tenant;
      if (switchInFlight.current || !from || !session.tokens || to === from) return;
      switchInFlight.current = true;
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
        switchInFlight.current = false;
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
        const here = locationRef.current;
        navigate({ pathname: here.pathname, search: withTenantParam(here.search, to), hash: here.hash }, { replace: true });
        client.sendTelemetry([{ kind: 'tenant_switch', fromTenant: from, toTenant: to, trigger }]);
        // A switch followed from another tab is not announced again.
        if (trigger !== 'cross-tab') channel.current?.announce(to);
        performance.measure('tenant-switch', { start: startedAt, end: performance.now(), detail: { from, to } });
      } catch (err) {
        // Roll back: the old tenant's token stays; a refresh token rotated by the attempt replaces the old one.
        session.advanceGeneration();
        if (candidate?.refreshToken) session.replaceTokens({ ...fromTokens, refreshToken: candidate.refreshToken });
        queryClient.clear();
        const here = locationRef.current;
        navigate({ pathname: here.pathname, search: withTenantParam(here.search, from), hash: here.hash }, { replace: true });
        setState((s) => ({
          ...s,
          switching: null,
          switchError: `Could not switch to ${tenantName(to)}: ${describeError(err)}. You are still working in ${tenantName(from)}.`,
        }));
      } finally {
        switchInFlight.current = false;
      }
    },
    [client, navigate, queryClient, session, tenantName],
  );

  const signOut = useCallback(async () => {
    const tokens = session.tokens;
    session.clear();
    queryClient.clear();
    if (tokens) await revokeTokens(tokens);
    setState({ ...initialState, phase: 'signed-out' });
    navigate(SIGNED_OUT_PATH, { replace: true });
  }, [navigate, queryClient, session]);

  // Follow switches committed in other tabs (see tenant/cross-tab.ts).
  useEffect(() => {
    if (state.phase !== 'ready') return;
    const opened = openCrossTabChannel(tabId, (tenant) => {
      const current = stateRef.current;
      if (current.tenant === tenant || !current.tenants.some((t) => t.id === tenant)) return;
      nextSwitchTrigger.current = 'cross-tab';
      const here = locationRef.current;
      navigate({ pathname: here.pathname, search: withTenantParam(here.search, tenant), hash: here.hash });
    });
    channel.current = opened;
    return () => {
      opened.close();
      channel.current = null;
    };
  }, [navigate, state.phase, tabId]);

  // Silent refresh for the committed tenant, ahead of expiry.
  const expiresAt = session.tokens?.expiresAt ?? null;
  useEffect(() => {
    if (state.phase !== 'ready' || expiresAt === null || state.switching) return;
    const delay = Math.max(MIN_REFRESH_DELAY_MS, expiresAt - Date.now() - REFRESH_LEAD_MS);
    const timer = window.setTimeout(() => {
      const tokens = session.tokens;
      const tenant = session.tenant;
      if (!tokens || !tenant || switchInFlight.current) return;
      silentRefresh.current = refreshTokens(tokens, tenant)
        .then((next) => {
          if (session.tenant !== tenant) return;
          session.replaceTokens(next);
          setState((s) => ({ ...s, scopes: next.scopes }));
        })
        .catch(() => setState((s) => ({ ...s, expired: true })))
        .finally(() => {
          silentRefresh.current = null;
        });
    }, delay);
    return () => window.clearTimeout(timer);
  }, [expiresAt, session, state.phase, state.switching, state.scopes]);

  const value: ConsoleValue = {
    ...state,
    client,
    session,
    requestSwitch,
    signOut,
    signIn,
    dismissSwitchError: () => setState((s) => ({ ...s, switchError: null })),
    tenantName,
    nextSwitchTrigger,
  };
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}
