/**
 * Token introspection (RFC 7662) with the database checks of CONTRACT.md §5: an access token
 * is active only when it validates, is not revoked, and its client (and user) are still
 * assigned to its tenant.
 */
import { scopes } from '../contract/scopes.ts';
import { formatTenantSet } from '../contract/tenant.ts';
import { validateOwnToken } from './http/authenticate.ts';
import type { AuthorityServices } from './services.ts';
import { currentAssignment } from './store/current-assignment.ts';
import { findRefreshToken } from './tokens/refresh-tokens.ts';
import { isAccessTokenRevoked } from './tokens/revoked-access-tokens.ts';

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

const inactive: IntrospectionResponse = { active: false };

/**
 * Who may see a token: the client it was issued to, or a client granted introspection
 * explicitly (`authority:introspect` among its scopes: a resource server). `null` is the
 * Authority itself (the console's self-introspection of the bearer's own token).
 */
export function mayIntrospect(askingClient: { clientId: string; public: boolean; scopes: readonly string[] } | null, tokenClientId: string): boolean {
  if (askingClient === null || askingClient.clientId === tokenClientId) return true;
  return !askingClient.public && askingClient.scopes.includes(scopes.introspect);
}

/** A token the asking client may not see is answered like an unknown one (RFC 7662 §2.2). */
export async function introspect(
  services: AuthorityServices,
  token: string,
  askingClient: { clientId: string; public: boolean; scopes: readonly string[] } | null,
): Promise<IntrospectionResponse> {
  const db = services.ctx.db;
  const profile = services.ctx.profile;
  if (token.startsWith('rt_')) {
    const record = await findRefreshToken(db, token);
    if (!record || record.usedAt || record.revokedAt || record.expiresAt.getTime() <= Date.now()) return inactive;
    if (!mayIntrospect(askingClient, record.clientId)) return inactive;
    return {
      active: true,
      token_type: 'refresh_token',
      client_id: record.clientId,
      sub: record.userId,
      scope: record.scopes.join(' '),
      exp: Math.floor(record.expiresAt.getTime() / 1000),
      iss: services.issuer,
      [profile.selectedTenantClaim]: record.tenant,
    };
  }
  const validation = await validateOwnToken(services, token);
  if (!validation.ok) return inactive;
  const t = validation.token;
  if (!mayIntrospect(askingClient, t.clientId)) return inactive;
  if (await isAccessTokenRevoked(db, t)) return inactive;
  const current = await currentAssignment(db, t.clientId, t.subject);
  if (!current) return inactive;
  const { assigned } = current;
  if (!assigned.includes(t.tenant)) return inactive;
  const response: IntrospectionResponse = {
    active: true,
    token_type: 'Bearer',
    scope: t.scopes.join(' '),
    client_id: t.clientId,
    sub: t.subject,
    iss: t.claims.iss,
    aud: t.claims.aud,
    exp: t.expiresAt,
    iat: t.claims.iat,
    jti: t.tokenId,
    [profile.selectedTenantClaim]: t.tenant,
  };
  if (t.allowedTenants) response[profile.allowedTenantsClaim] = formatTenantSet(t.allowedTenants);
  return response;
}
