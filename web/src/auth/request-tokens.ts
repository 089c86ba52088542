/** One call to the token endpoint (authorization_code or refresh_token grant). */
import { defaultProfile } from '../../../src/contract/profile.ts';
import { CONSOLE_CLIENT_ID } from '../../../src/contract/scopes.ts';
import { loadDiscovery } from './discovery.ts';
import { OAuthError, readClaims, type TokenSet } from './token-set.ts';

export async function requestTokens(params: Record<string, string>, previous?: TokenSet | null): Promise<TokenSet> {
  const { tokenEndpoint } = await loadDiscovery();
  const body = new URLSearchParams({ ...params, client_id: CONSOLE_CLIENT_ID });
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    cache: 'no-store',
  });
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof payload.access_token !== 'string') {
    throw new OAuthError(
      String(payload.error ?? 'server_error'),
      String(payload.error_description ?? `token endpoint answered HTTP ${response.status}`),
      typeof payload.error_code === 'string' ? payload.error_code : null,
      response.status,
    );
  }
  const claims = readClaims(payload.access_token);
  const tenantClaim = claims[defaultProfile.selectedTenantClaim];
  const expiresIn = typeof payload.expires_in === 'number' ? payload.expires_in : 300;
  const scope = typeof payload.scope === 'string' ? payload.scope : typeof claims.scope === 'string' ? claims.scope : '';
  return {
    accessToken: payload.access_token,
    // A server that does not rotate refresh tokens leaves the previous one valid.
    refreshToken: typeof payload.refresh_token === 'string' ? payload.refresh_token : (previous?.refreshToken ?? null),
    expiresAt: Date.now() + expiresIn * 1000,
    scopes: scope.split(' ').filter(Boolean),
    tenant: typeof tenantClaim === 'string' ? tenantClaim : null,
  };
}

/** The refresh grant, optionally naming the tenant the new access token must carry. */
export function refreshTokens(current: TokenSet, tenant?: string): Promise<TokenSet> {
  if (!current.refreshToken) return Promise.reject(new OAuthError('invalid_grant', 'no refresh token in this session', null, 400));
  const params: Record<string, string> = { grant_type: 'refresh_token', refresh_token: current.refreshToken };
  if (tenant) params[defaultProfile.tenantParameter] = tenant;
  return requestTokens(params, current);
}
