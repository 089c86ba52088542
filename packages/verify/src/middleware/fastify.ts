/**
 * Fastify: `app.addHook('onRequest', identityHook(options))`, on the root instance for every
 * route or inside a plugin for that plugin's routes. A verified request goes on with
 * `request.identity` (declare it on FastifyRequest, or read `identityOf(request)`); a refused
 * one is answered 401 problem+json with the code (503 when the key set is unreachable).
 *
 * Typed structurally so that the package does not depend on fastify.
 */
import { asIdentityError, problemFor, PROBLEM_CONTENT_TYPE } from '../problem.js';
import { attachIdentity, notify, type MiddlewareHooks } from '../request-identity.js';
import { createIdentityVerifier, type VerifierOptions } from '../verify-identity.js';

export interface FastifyLikeRequest {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  /** Fastify's `request.url`: the target as received, path and query. */
  url: string;
}

export interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(payload?: unknown): FastifyLikeReply;
}

export function identityHook(options: VerifierOptions & MiddlewareHooks) {
  const verifier = createIdentityVerifier(options);
  return async function tenantgateIdentity<Reply extends FastifyLikeReply>(request: FastifyLikeRequest, reply: Reply): Promise<Reply | undefined> {
    const { method, url, headers } = request;
    try {
      const identity = await verifier.verify(headers, { method, url });
      attachIdentity(request, identity);
      notify(options, { headers, method, url, identity });
      return undefined;
    } catch (err) {
      const refused = asIdentityError(err);
      if (!refused) throw err;
      notify(options, { headers, method, url, error: refused });
      return reply.code(refused.status).header('content-type', PROBLEM_CONTENT_TYPE).header('cache-control', 'no-store').send(JSON.stringify(problemFor(refused))) as Reply;
    }
  };
}
