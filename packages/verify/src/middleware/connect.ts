/**
 * Express / Connect middleware: `app.use(identityMiddleware(options))`. A verified request
 * goes on with `req.identity`; a refused one is answered 401 problem+json with the code
 * (503 when the key set is unreachable). Any other error goes to `next(err)`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { asIdentityError } from '../problem.js';
import { attachIdentity, notify, type MiddlewareHooks } from '../request-identity.js';
import { createIdentityVerifier, type VerifierOptions } from '../verify-identity.js';
import { sendProblem } from './node-http.js';

export type ConnectRequest = IncomingMessage & { originalUrl?: string };
export type ConnectNext = (err?: unknown) => void;

export function identityMiddleware(options: VerifierOptions & MiddlewareHooks) {
  const verifier = createIdentityVerifier(options);
  return function tenantgateIdentity(req: ConnectRequest, res: ServerResponse, next: ConnectNext): void {
    // Express rewrites req.url below a mount point; originalUrl is the target as received.
    const url = req.originalUrl ?? req.url ?? '/';
    const method = req.method ?? 'GET';
    verifier.verify(req.headers, { method, url }).then(
      (identity) => {
        attachIdentity(req, identity);
        notify(options, { headers: req.headers, method, url, identity });
        next();
      },
      (err: unknown) => {
        const refused = asIdentityError(err);
        if (!refused) return next(err);
        notify(options, { headers: req.headers, method, url, error: refused });
        sendProblem(res, refused);
      },
    );
  };
}
