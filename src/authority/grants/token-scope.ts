/**
 * The scope of an issued token: the requested scopes (or all the client's when none are
 * requested) ∩ the client's scopes ∩ the user's scopes for user grants. OpenID scopes are
 * the client's to grant: users do not hold them.
 */
import { OAuthError } from '../http/oauth-error.ts';

export const openIdScopes = ['openid', 'profile', 'offline_access'];

export function tokenScopes(requested: string | undefined, clientScopes: readonly string[], userScopes: readonly string[] | null): string[] {
  const client = new Set(clientScopes);
  const user = userScopes === null ? null : new Set([...userScopes, ...openIdScopes]);
  const wanted = requested === undefined ? [...clientScopes] : [...new Set(requested.split(' ').filter(Boolean))];
  const granted = wanted.filter((s) => client.has(s) && (user === null || user.has(s)));
  if (requested !== undefined && wanted.length > 0 && granted.length === 0) {
    throw new OAuthError('invalid_scope', 'none of the requested scopes may be granted to this caller');
  }
  return granted;
}
