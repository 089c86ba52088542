/** POST /connect/token: the four grants, the tenant parameter, RFC 6749 §5.2 errors. */
import type { FastifyInstance } from 'fastify';
import { authorizationCodeGrant } from '../grants/authorization-code.ts';
import { clientCredentialsGrant } from '../grants/client-credentials.ts';
import type { GrantHandler } from '../grants/grant.ts';
import { issueToken } from '../grants/issue-token.ts';
import { passwordGrant } from '../grants/password.ts';
import { refreshTokenGrant } from '../grants/refresh-token.ts';
import type { AuthorityServices } from '../services.ts';
import type { GrantType } from '../store/clients.ts';
import { authenticateClient, presentedClient } from './client-authentication.ts';
import { allValues, formBodySchema, requiredValue, type FormBody } from './form-params.ts';
import { OAuthError, sendOAuthError } from './oauth-error.ts';
import type { RateLimitCheck } from './rate-limit.ts';

const grants: Record<GrantType, GrantHandler> = {
  client_credentials: clientCredentialsGrant,
  password: passwordGrant,
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
};

const tokenResponseSchema = {
  type: 'object',
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string' },
    expires_in: { type: 'integer' },
    scope: { type: 'string' },
    refresh_token: { type: 'string' },
    id_token: { type: 'string' },
  },
  required: ['access_token', 'token_type', 'expires_in', 'scope'],
} as const;

export function tokenRoute(services: AuthorityServices, withinLimits: RateLimitCheck) {
  return async (app: FastifyInstance) => {
    app.post(
      '/connect/token',
      {
        schema: { body: formBodySchema, response: { 200: tokenResponseSchema } },
        attachValidation: true,
        preHandler: async (req, reply) => {
          if (!(await withinLimits(req, reply))) return reply;
        },
      },
      async (req, reply) => {
        const body = (req.body ?? {}) as FormBody;
        let grant = 'unknown';
        let clientId: string | null = null;
        let basic = false;
        try {
          if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
            throw new OAuthError('invalid_request', 'the token request must be application/x-www-form-urlencoded');
          }
          if (req.validationError) throw new OAuthError('invalid_request', 'the request body must be application/x-www-form-urlencoded parameters');
          grant = requiredValue(body, 'grant_type');
          const handler = Object.prototype.hasOwnProperty.call(grants, grant) ? grants[grant as GrantType] : undefined;
          const presented = presentedClient(req.headers.authorization, body);
          basic = presented.method === 'client_secret_basic';
          clientId = presented.clientId;
          const client = await authenticateClient(services, presented);
          if (!handler) throw new OAuthError('unsupported_grant_type', `grant type ${grant} is not supported`);
          if (!client.grantTypes.includes(grant as GrantType)) throw new OAuthError('unauthorized_client', `client ${client.clientId} may not use ${grant}`);
          const tenantValues = allValues(body, services.ctx.profile.tenantParameter);
          const result = await handler({ services, client, body, tenantValues });
          const response = await issueToken(services, client, result);
          return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
        } catch (err) {
          if (!(err instanceof OAuthError)) throw err;
          // Tenant rejections are counted (and audited) by the issuer; everything else counts as a failure here.
          services.metrics.failed(grant, err.errorCode, clientId);
          return sendOAuthError(reply, err, basic);
        }
      },
    );
  };
}
