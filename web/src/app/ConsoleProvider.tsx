/**
 * Owns the session: sign-in (code + PKCE), silent refresh and sign-out; the tenant switch
 * is the useTenantSwitch hook (use-tenant-switch.ts).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiClient } from '../api/client.ts';
import { fetchProfile, fetchTenants } from '../api/console-api.ts';
import { describeError } from '../api/errors.ts';
import { refreshTokens } from '../auth/request-tokens.ts';
import { ConsoleSession } from '../auth/session.ts';
import { beginSignIn, completeSignIn, isCallbackPath } from '../auth/sign-in.ts';
import { revokeTokens } from '../auth/sign-out.ts';
import type { TokenSet } from '../auth/token-set.ts';
import { ConsoleContext, type ConsoleState, type ConsoleValue } from './console-context.ts';
import { useTenantSwitch } from './use-tenant-switch.ts';

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
  const session = useMemo(() => new ConsoleSession(), []);
  const client = useMemo(() => new ApiClient(session), [session]);
  const [state, setState] = useState<ConsoleState>(initialState);
  const started = useRef(false);
  // Refresh tokens rotate and a reused one revokes its whole family: never two grants at once.
  const silentRefresh = useRef<Promise<unknown> | null>(null);
  const tabId = useMemo(() => Math.random().toString(36).slice(2), []);

  const signIn = useCallback(() => {
    setState((s) => ({ ...s, phase: 'redirecting' }));
    const here = window.location;
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

  const tenantSwitch = useTenantSwitch({ session, client, queryClient, navigate, state, setState, silentRefresh, tabId });

  const signOut = useCallback(async () => {
    const tokens = session.tokens;
    session.clear();
    queryClient.clear();
    if (tokens) await revokeTokens(tokens);
    setState({ ...initialState, phase: 'signed-out' });
    navigate(SIGNED_OUT_PATH, { replace: true });
  }, [navigate, queryClient, session]);

  // Silent refresh for the committed tenant, ahead of expiry.
  const expiresAt = session.tokens?.expiresAt ?? null;
  useEffect(() => {
    if (state.phase !== 'ready' || expiresAt === null || state.switching) return;
    const delay = Math.max(MIN_REFRESH_DELAY_MS, expiresAt - Date.now() - REFRESH_LEAD_MS);
    const timer = window.setTimeout(() => {
      const tokens = session.tokens;
      const tenant = session.tenant;
      if (!tokens || !tenant || tenantSwitch.inFlight()) return;
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
  }, [expiresAt, session, state.phase, state.switching, state.scopes, tenantSwitch]);

  const value: ConsoleValue = {
    ...state,
    client,
    session,
    requestSwitch: tenantSwitch.requestSwitch,
    signOut,
    signIn,
    dismissSwitchError: () => setState((s) => ({ ...s, switchError: null })),
    tenantName: tenantSwitch.tenantName,
    nextSwitchTrigger: tenantSwitch.nextSwitchTrigger,
  };
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}
