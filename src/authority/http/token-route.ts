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
import type { ThrottleSubject } from '../throttle/authentication-throttle.ts';
import type { BruteForceGuard } from './brute-force.ts';
import { authenticateClient, presentedClient, type ClientLookup } from './client-authentication.ts';
import { allValues, formBodySchema, requiredValue, singleValue, type FormBody } from './form-params.ts';
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

export function tokenRoute(services: AuthorityServices, withinLimits: RateLimitCheck, guard: BruteForceGuard) {
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
        const lookup: ClientLookup = { registered: null };
        let basic = false;
        const address: ThrottleSubject = { scope: 'address', value: await guard.addressOf(req) };
        let subjects: ThrottleSubject[] = [address];
        try {
          if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
            throw new OAuthError('invalid_request', 'the token request must be application/x-www-form-urlencoded');
          }
          if (req.validationError) throw new OAuthError('invalid_request', 'the request body must be application/x-www-form-urlencoded parameters');
          grant = requiredValue(body, 'grant_type');
          const handler = Object.prototype.hasOwnProperty.call(grants, grant) ? grants[grant as GrantType] : undefined;
          let presented;
          try {
            presented = presentedClient(req.headers.authorization, body);
          } catch (err) {
            const wait = guard.throttle.retryAfter(subjects);
            if (wait > 0) return guard.refuse(req, reply, wait);
            if (err instanceof OAuthError && err.error === 'invalid_client') await guard.failed(subjects, 'malformed_client_credentials');
            throw err;
          }
          basic = presented.method === 'client_secret_basic';
          subjects = [{ scope: 'client', value: presented.clientId }, address];
          const username = grant === 'password' ? singleValue(body, 'username') : undefined;
          if (username !== undefined) subjects.unshift({ scope: 'user', value: username });
          const wait = guard.throttle.retryAfter(subjects);
          if (wait > 0) return guard.refuse(req, reply, wait);
          let client;
          try {
            client = await authenticateClient(services, presented, lookup);
          } catch (err) {
            if (err instanceof OAuthError && err.error === 'invalid_client') await guard.failed(subjects.filter((s) => s.scope !== 'user'), 'client_authentication', lookup.registered);
            throw err;
          }
          if (!handler) throw new OAuthError('unsupported_grant_type', 'the grant type is not supported');
          if (!client.grantTypes.includes(grant as GrantType)) throw new OAuthError('unauthorized_client', `client ${client.clientId} may not use ${grant}`);
          const tenantValues = allValues(body, services.ctx.profile.tenantParameter);
          let result;
          try {
            result = await handler({ services, client, body, tenantValues });
          } catch (err) {
            if (grant === 'password' && err instanceof OAuthError && err.error === 'invalid_grant' && username !== undefined) {
              await guard.failed([{ scope: 'user', value: username }, address], 'password', client.clientId);
            }
            throw err;
          }
          await guard.throttle.succeeded(subjects);
          const response = await issueToken(services, client, result);
          return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
        } catch (err) {
          if (!(err instanceof OAuthError)) throw err;
          // Tenant rejections are counted (and audited) by the issuer; everything else counts as a failure here.
          // Labels and counter keys name registered clients and known grants only, never raw input.
          services.metrics.failed(grant, err.errorCode, lookup.registered);
          return sendOAuthError(reply, err, basic);
        }
      },
    );
  };
}
