/**
 * Authorization code + PKCE against the Authority. Only the verifier, the state and the
 * page to return to survive the redirect, in sessionStorage; tokens never touch storage.
 */
import { CONSOLE_CALLBACK_PATH, CONSOLE_CLIENT_ID } from '../../../src/contract/scopes.ts';
import { loadDiscovery } from './discovery.ts';
import { challengeFor, createRandomToken } from './pkce.ts';
import { requestTokens } from './request-tokens.ts';
import type { TokenSet } from './token-set.ts';

const PENDING_KEY = 'tenantgate.console.pendingSignIn';

interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
}

export function callbackUrl(): string {
  return `${window.location.origin}${CONSOLE_CALLBACK_PATH}`;
}

export function isCallbackPath(pathname: string): boolean {
  return pathname === CONSOLE_CALLBACK_PATH;
}

export async function beginSignIn(returnTo: string): Promise<void> {
  const { authorizationEndpoint } = await loadDiscovery();
  const pending: PendingSignIn = { state: createRandomToken(16), verifier: createRandomToken(32), returnTo };
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', CONSOLE_CLIENT_ID);
  url.searchParams.set('redirect_uri', callbackUrl());
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await challengeFor(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  window.location.assign(url.toString());
}

export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

/** Exchanges the code on /auth/callback; returns the tokens and where the user was going. */
export async function completeSignIn(search: string): Promise<{ tokens: TokenSet; returnTo: string }> {
  const params = new URLSearchParams(search);
  const raw = window.sessionStorage.getItem(PENDING_KEY);
  window.sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as PendingSignIn) : null;
  const error = params.get('error');
  if (error) throw new SignInError(params.get('error_description') ?? error);
  if (!pending || params.get('state') !== pending.state) throw new SignInError('The sign-in response does not belong to this browser tab. Please sign in again.');
  const code = params.get('code');
  if (!code) throw new SignInError('The sign-in response carries no authorization code.');
  const tokens = await requestTokens({
    grant_type: 'authorization_code',
    code,
    redirect_uri: callbackUrl(),
    code_verifier: pending.verifier,
  });
  return { tokens, returnTo: pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') ? pending.returnTo : '/' };
}
