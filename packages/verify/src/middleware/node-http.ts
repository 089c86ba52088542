/**
 * Bare `node:http`: `http.createServer(withIdentity(options, (req, res, identity) => …))`.
 * The handler runs only for a verified request; a refused one is answered 401 problem+json
 * with the code (503 when the key set is unreachable).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentityError } from '../errors.js';
import { asIdentityError, problemFor, PROBLEM_CONTENT_TYPE } from '../problem.js';
import { attachIdentity, notify, type MiddlewareHooks } from '../request-identity.js';
import { createIdentityVerifier, type VerifiedIdentity, type VerifierOptions } from '../verify-identity.js';

export type IdentityHandler = (req: IncomingMessage, res: ServerResponse, identity: VerifiedIdentity) => void | Promise<void>;

export function sendProblem(res: ServerResponse, error: IdentityError): void {
  const body = JSON.stringify(problemFor(error));
  res.writeHead(error.status, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

export function withIdentity(options: VerifierOptions & MiddlewareHooks, handler: IdentityHandler) {
  const verifier = createIdentityVerifier(options);
  return async function tenantgateIdentity(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    let identity: VerifiedIdentity;
    try {
      identity = await verifier.verify(req.headers, { method, url });
    } catch (err) {
      const refused = asIdentityError(err);
      if (!refused) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end();
        return;
      }
      notify(options, { headers: req.headers, method, url, error: refused });
      sendProblem(res, refused);
      return;
    }
    attachIdentity(req, identity);
    notify(options, { headers: req.headers, method, url, identity });
    await handler(req, res, identity);
  };
}
