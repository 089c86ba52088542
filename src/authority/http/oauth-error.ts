/** OAuth error responses (RFC 6749 §5.2) with the contract's stable `error_code`. */
import type { FastifyReply } from 'fastify';

export type OAuthErrorName =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorName,
    readonly description: string,
    readonly errorCode: string = error,
    readonly status = error === 'invalid_client' ? 401 : error === 'server_error' ? 500 : 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export function sendOAuthError(reply: FastifyReply, err: OAuthError, basicChallenge = false) {
  if (err.error === 'invalid_client' && basicChallenge) reply.header('www-authenticate', 'Basic realm="tenantgate", charset="UTF-8"');
  return reply
    .code(err.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({ error: err.error, error_description: err.description, error_code: err.errorCode });
}
