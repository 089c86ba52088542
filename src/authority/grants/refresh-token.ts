/**
 * refresh_token: rotating. Without `tenant` the new access token keeps the refresh token's
 * tenant (re-checked against current assignments); with `tenant=` it switches tenant under
 * the same selection rule.
 */
import { requiredValue, singleValue } from '../http/form-params.ts';
import { OAuthError } from '../http/oauth-error.ts';
import { findUserById } from '../store/users.ts';
import { findRefreshToken, revokeFamily } from '../tokens/refresh-tokens.ts';
import type { GrantHandler } from './grant.ts';
import { scopeRequest } from './token-scope.ts';

export const refreshTokenGrant: GrantHandler = async ({ services, client, body, tenantValues }) => {
  const presented = requiredValue(body, 'refresh_token');
  const record = await findRefreshToken(services.ctx.db, presented);
  if (!record || record.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'the refresh token is invalid');
  if (record.revokedAt) throw new OAuthError('invalid_grant', 'the refresh token was revoked');
  if (record.usedAt) {
    await revokeFamily(services.ctx.db, record.familyId);
    await services.audit.write({
      type: 'authority.refresh_token.reused',
      outcome: 'denied',
      actor: record.userId,
      client: client.clientId,
      tenant: record.tenant,
      properties: { familyId: record.familyId },
    });
    throw new OAuthError('invalid_grant', 'the refresh token was already used; its whole family is revoked');
  }
  if (record.expiresAt.getTime() <= Date.now()) throw new OAuthError('invalid_grant', 'the refresh token has expired');
  const user = await findUserById(services.ctx.db, record.userId);
  if (!user) throw new OAuthError('invalid_grant', 'the user no longer exists');
  if (user.disabled) throw new OAuthError('invalid_grant', 'the user is disabled');
  // The original request bounds every refresh; the role in the (possibly new) tenant decides within it.
  const consented = record.requestedScopes ?? record.scopes;
  const requestedScope = singleValue(body, 'scope');
  if (requestedScope !== undefined && requestedScope.split(' ').some((s) => s && !consented.includes(s))) {
    throw new OAuthError('invalid_scope', 'a refresh cannot widen the original scope');
  }
  const request = { ...scopeRequest(requestedScope ?? consented.join(' '), client.scopes), explicit: requestedScope !== undefined };
  if (tenantValues.length > 0) return { grant: 'refresh_token', user, scopeRequest: request, requested: tenantValues, spending: record };
  return { grant: 'refresh_token', user, scopeRequest: request, requested: [record.tenant], carriedHow: record.how, spending: record };
};
