/** POST /connect/introspect (RFC 7662) and POST /connect/revoke (RFC 7009), both client-authenticated. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { introspect } from '../introspection.ts';
import type { AuthorityServices } from '../services.ts';
import { findRefreshToken, revokeFamily } from '../tokens/refresh-tokens.ts';
import { revokeAccessToken } from '../tokens/revoked-access-tokens.ts';
import { authenticateClient, presentedClient } from './client-authentication.ts';
import { validateOwnToken } from './authenticate.ts';
import { formBodySchema, requiredValue, type FormBody } from './form-params.ts';
import { OAuthError, sendOAuthError } from './oauth-error.ts';
import type { RateLimitCheck } from './rate-limit.ts';
import type { BruteForceGuard } from './brute-force.ts';
import type { ThrottleSubject } from '../throttle/authentication-throttle.ts';

export function introspectRevokeRoutes(services: AuthorityServices, withinLimits: RateLimitCheck, guard: BruteForceGuard) {
  return async (app: FastifyInstance) => {
    const preHandler = async (req: FastifyRequest, reply: FastifyReply) => {
      if (!(await withinLimits(req, reply))) return reply;
    };

    app.post('/connect/introspect', { schema: { body: formBodySchema }, attachValidation: true, preHandler }, clientTokenRequest(services, guard, async (client, token, reply) =>
      reply.header('cache-control', 'no-store').send(await introspect(services, token, client)),
    ));

    app.post('/connect/revoke', { schema: { body: formBodySchema }, attachValidation: true, preHandler }, clientTokenRequest(services, guard, async (client, token, reply) => {
      const db = services.ctx.db;
      // RFC 7009 §2.2: an unknown, invalid or expired token is answered 200 all the same; a
      // valid token issued to another client is refused (§2.1), 400 `unauthorized_client`.
      if (token.startsWith('rt_')) {
        const record = await findRefreshToken(db, token);
        const live = record !== null && !record.usedAt && !record.revokedAt && record.expiresAt.getTime() > Date.now();
        if (record && live && record.clientId !== client.clientId) throw foreignToken(client.clientId);
        if (record && record.clientId !== client.clientId) return reply.header('cache-control', 'no-store').send({});
        if (record) {
          await revokeFamily(db, record.familyId);
          await services.audit.write({ type: 'authority.token.revoked', outcome: 'success', actor: record.userId, client: client.clientId, tenant: record.tenant, properties: { kind: 'refresh_token', familyId: record.familyId } });
        }
      } else {
        const validation = await validateOwnToken(services, token);
        if (validation.ok && validation.token.clientId !== client.clientId) throw foreignToken(client.clientId);
        if (validation.ok) {
          await revokeAccessToken(db, validation.token.tokenId, validation.token.expiresAt);
          await services.audit.write({
            type: 'authority.token.revoked',
            outcome: 'success',
            actor: validation.token.subject,
            client: client.clientId,
            tenant: validation.token.tenant,
            properties: { kind: 'access_token', jti: validation.token.tokenId },
          });
        }
      }
      return reply.header('cache-control', 'no-store').send({});
    }));
  };
}

type AuthenticatedClient = Awaited<ReturnType<typeof authenticateClient>>;

function foreignToken(clientId: string): OAuthError {
  return new OAuthError('unauthorized_client', `the token was not issued to client ${clientId}; only its own client may revoke it`);
}

/**
 * A route handler for a client-authenticated request about one `token` (form parameters):
 * the client is authenticated and the token read before `handle` runs; OAuth errors are
 * answered per RFC 6749 §5.2 (401 with a challenge when the client used HTTP Basic).
 */
function clientTokenRequest(services: AuthorityServices, guard: BruteForceGuard, handle: (client: AuthenticatedClient, token: string, reply: FastifyReply) => Promise<FastifyReply>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    let basic = false;
    const address: ThrottleSubject = { scope: 'address', value: await guard.addressOf(req) };
    try {
      if (req.validationError) throw new OAuthError('invalid_request', 'the request body must be form parameters');
      const body = (req.body ?? {}) as FormBody;
      let presented;
      try {
        presented = presentedClient(req.headers.authorization, body);
      } catch (err) {
        const wait = guard.throttle.retryAfter([address]);
        if (wait > 0) return guard.refuse(req, reply, wait);
        if (err instanceof OAuthError && err.error === 'invalid_client') await guard.failed([address], 'malformed_client_credentials');
        throw err;
      }
      basic = presented.method === 'client_secret_basic';
      const subjects: ThrottleSubject[] = [{ scope: 'client', value: presented.clientId }, address];
      const wait = guard.throttle.retryAfter(subjects);
      if (wait > 0) return guard.refuse(req, reply, wait);
      let client;
      try {
        client = await authenticateClient(services, presented);
      } catch (err) {
        if (err instanceof OAuthError && err.error === 'invalid_client') await guard.failed(subjects, 'client_authentication');
        throw err;
      }
      await guard.throttle.succeeded(subjects);
      return await handle(client, requiredValue(body, 'token'), reply);
    } catch (err) {
      if (err instanceof OAuthError) return sendOAuthError(reply, err, basic);
      throw err;
    }
  };
}
