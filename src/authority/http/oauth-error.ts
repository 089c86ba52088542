/** OAuth error responses (RFC 6749 §5.2) with the contract's stable `error_code`. */
import type { FastifyReply } from 'fastify';
import { TenantgateError, type ErrorCode } from '../../contract/errors.ts';

/** The RFC 6749 `error` names the Authority answers; each is a code of the error table. */
export type OAuthErrorName = Extract<
  ErrorCode,
  'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'access_denied' | 'unsupported_response_type' | 'server_error'
>;

/**
 * An OAuth error: `error` is the RFC 6749 name, `code` (also `errorCode`, the `error_code`
 * member) the contract's finer code, the OAuth name itself when there is none.
 */
export class OAuthError extends TenantgateError {
  constructor(
    readonly error: OAuthErrorName,
    readonly description: string,
    readonly errorCode: ErrorCode = error,
    status = error === 'invalid_client' ? 401 : error === 'server_error' ? 500 : 400,
  ) {
    super(errorCode, description, { status });
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
