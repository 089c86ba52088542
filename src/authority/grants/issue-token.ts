/**
 * From a grant's result to a token response: the selection rule (CONTRACT.md §3), the audit
 * event persisted before the response, the access token (and refresh / ID token), counters.
 */
import { selectTenant, type SelectionResult } from '../../contract/selection.ts';
import { OAuthError } from '../http/oauth-error.ts';
import type { AuthorityServices } from '../services.ts';
import type { ClientRecord } from '../store/clients.ts';
import { mintAccessToken } from '../tokens/access-token.ts';
import { recordCodeFamily } from '../tokens/authorization-codes.ts';
import { mintIdToken } from '../tokens/id-token.ts';
import { insertRefreshToken, rotateRefreshToken } from '../tokens/refresh-tokens.ts';
import type { GrantResult } from './grant.ts';
import { tokenScopes } from './token-scope.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export function selectionFor(client: ClientRecord, result: GrantResult): SelectionResult {
  return selectTenant({
    grant: result.grant,
    client: { tenant: client.tenant, tenants: client.tenants },
    user: result.user ? { tenant: result.user.tenant, tenants: result.user.tenants } : undefined,
    requested: result.requested,
  });
}

export async function issueToken(services: AuthorityServices, client: ClientRecord, result: GrantResult): Promise<TokenResponse> {
  const { ctx } = services;
  const config = ctx.config.authority;
  const subject = result.user ? result.user.id : client.clientId;
  const selection = selectionFor(client, result);
  if (!selection.ok) {
    await services.audit.write({
      type: 'authority.token.tenant_rejected',
      outcome: 'denied',
      actor: subject,
      client: client.clientId,
      tenant: null,
      properties: { code: selection.code, grant: result.grant, subject, requested: selection.requested, assigned: selection.assigned },
    });
    services.metrics.tenantRejected(result.grant, selection.code, client.clientId);
    throw new OAuthError('invalid_request', selection.detail, selection.code);
  }
  const how = result.carriedHow ?? selection.how;
  // The role in the selected tenant decides: switching tenant can change the scopes.
  const scopes = tokenScopes(result.scopeRequest, result.user ?? client, selection.tenant, result.user !== null, services.roles);
  const now = ctx.clock.now();
  const key = services.keys.signingKey;
  const access = await mintAccessToken(key, {
    issuer: services.issuer,
    audience: services.audience,
    subject,
    clientId: client.clientId,
    scopes,
    tenant: selection.tenant,
    allowedTenants: client.includeAllowedTenants ? selection.assigned : null,
    ttlSeconds: config.accessTokenTtlSeconds,
    now,
    profile: ctx.profile,
    synthetic: client.synthetic,
  });
  const response: TokenResponse = { access_token: access.token, token_type: 'Bearer', expires_in: config.accessTokenTtlSeconds, scope: scopes.join(' ') };

  if (result.user && client.grantTypes.includes('refresh_token')) {
    const next = { scopes, requestedScopes: result.scopeRequest.wanted, tenant: selection.tenant, how, ttlSeconds: config.refreshTokenTtlSeconds };
    if (result.spending) {
      const rotation = await rotateRefreshToken(ctx.db, result.spending, next);
      if (!rotation.ok) throw new OAuthError('invalid_grant', 'the refresh token was already used; its whole family is revoked');
      response.refresh_token = rotation.token;
    } else {
      const issued = await insertRefreshToken(ctx.db, { ...next, clientId: client.clientId, userId: result.user.id });
      if (result.code) await recordCodeFamily(ctx.db, result.code.digest, issued.familyId);
      response.refresh_token = issued.token;
    }
  }
  if (result.user && result.code && scopes.includes('openid')) {
    const alg = client.idTokenSignedResponseAlg ?? 'RS256';
    const idKey = services.keys.idTokenKeyFor(alg);
    if (!idKey) {
      throw new OAuthError('unauthorized_client', `the client registered id_token_signed_response_alg ${alg}; ID tokens are signed with ${services.keys.idTokenAlgorithms().join(' or ')} now`);
    }
    response.id_token = await mintIdToken(idKey, {
      issuer: services.issuer,
      clientId: client.clientId,
      subject,
      username: scopes.includes('profile') ? result.user.username : null,
      tenant: selection.tenant,
      nonce: result.code.nonce,
      ttlSeconds: config.accessTokenTtlSeconds,
      now,
      profile: ctx.profile,
    });
  }

  await services.audit.write({
    type: 'authority.token.issued',
    outcome: 'success',
    actor: subject,
    client: client.clientId,
    tenant: selection.tenant,
    properties: { grant: result.grant, subject, how, jti: access.jti, scope: response.scope, assigned: selection.assigned, requested: selection.requested },
  });
  services.metrics.issued(result.grant, how, client.clientId, selection.tenant);
  return response;
}
