/**
 * Token introspection (RFC 7662) with the database checks of CONTRACT.md §5: an access token
 * is active only when it validates, is not revoked, and its client (and user) are still
 * assigned to its tenant.
 */
import { formatTenantSet } from '../contract/tenant.ts';
import { validateOwnToken } from './http/authenticate.ts';
import type { AuthorityServices } from './services.ts';
import { currentAssignment } from './store/current-assignment.ts';
import { findRefreshToken } from './tokens/refresh-tokens.ts';
import { isAccessTokenRevoked } from './tokens/revoked-access-tokens.ts';

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

const inactive: IntrospectionResponse = { active: false };

/** `askingClient` limits what a public client may see: only its own tokens. */
export async function introspect(services: AuthorityServices, token: string, askingClient: { clientId: string; public: boolean } | null): Promise<IntrospectionResponse> {
  const db = services.ctx.db;
  const profile = services.ctx.profile;
  if (token.startsWith('rt_')) {
    const record = await findRefreshToken(db, token);
    if (!record || record.usedAt || record.revokedAt || record.expiresAt.getTime() <= Date.now()) return inactive;
    if (askingClient && askingClient.public && askingClient.clientId !== record.clientId) return inactive;
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
  if (askingClient && askingClient.public && askingClient.clientId !== t.clientId) return inactive;
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
