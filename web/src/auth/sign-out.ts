/** Sign-out revokes the refresh token (and the access token) at the Authority (RFC 7009). */
import { CONSOLE_CLIENT_ID } from '../../../src/contract/scopes.ts';
import { loadDiscovery } from './discovery.ts';
import type { TokenSet } from './token-set.ts';

export async function revokeTokens(tokens: TokenSet): Promise<void> {
  const { revocationEndpoint } = await loadDiscovery();
  if (!revocationEndpoint) return;
  const revoke = (token: string, hint: string) =>
    fetch(revocationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: hint, client_id: CONSOLE_CLIENT_ID }),
    });
  const pending = [revoke(tokens.accessToken, 'access_token')];
  if (tokens.refreshToken) pending.push(revoke(tokens.refreshToken, 'refresh_token'));
  await Promise.allSettled(pending);
}
