/** /.well-known/openid-configuration, /.well-known/oauth-authorization-server (RFC 8414), /.well-known/jwks.json. */
import type { FastifyInstance } from 'fastify';
import { adminScopes, moduleScopes, rolloutScopes } from '../../contract/scopes.ts';
import { openIdScopes } from '../grants/token-scope.ts';
import type { AuthorityServices } from '../services.ts';

export function serverMetadata(services: AuthorityServices): Record<string, unknown> {
  const iss = services.issuer;
  return {
    issuer: iss,
    authorization_endpoint: `${iss}/connect/authorize`,
    token_endpoint: `${iss}/connect/token`,
    introspection_endpoint: `${iss}/connect/introspect`,
    revocation_endpoint: `${iss}/connect/revoke`,
    userinfo_endpoint: `${iss}/connect/userinfo`,
    jwks_uri: `${iss}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['client_credentials', 'password', 'authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes_supported: [...new Set([...openIdScopes, ...moduleScopes, ...adminScopes, ...rolloutScopes, ...services.knownScopes])],
    subject_types_supported: ['public'],
    // RS256 (the default, OpenID Connect's required algorithm) and the current access-token key's.
    id_token_signing_alg_values_supported: services.keys.idTokenAlgorithms(),
    // No JWT client authentication (private_key_jwt, client_secret_jwt), so no
    // token_endpoint_auth_signing_alg_values_supported.
    authorization_response_iss_parameter_supported: true,
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'jti', 'client_id', 'scope', 'nonce', 'preferred_username', services.ctx.profile.selectedTenantClaim, services.ctx.profile.allowedTenantsClaim],
    // The tenant request parameter (CONTRACT.md §3), named by the contract profile.
    tenant_parameter: services.ctx.profile.tenantParameter,
  };
}

const metadataSchema = { type: 'object', additionalProperties: true } as const;

export function discoveryRoutes(services: AuthorityServices) {
  return async (app: FastifyInstance) => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      app.get(path, { schema: { response: { 200: metadataSchema } } }, async (_req, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return serverMetadata(services);
      });
    }
    app.get(
      '/.well-known/jwks.json',
      { schema: { response: { 200: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } }, required: ['keys'] } } } },
      async (_req, reply) => {
        // Short: a rotation must reach verifiers quickly; the gateway refetches on unknown kids anyway.
        reply.header('cache-control', 'public, max-age=60');
        return services.keys.jwks();
      },
    );
  };
}
