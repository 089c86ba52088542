/**
 * The headers a refusal carries besides its problem+json body, the same whether Fastify
 * (sendProblem) or the gateway's data plane (problem-response.ts) writes it: `Retry-After`
 * on a 503 and the RFC 6750 Bearer challenge.
 */
import type { ErrorCode } from '../contract/errors.ts';

/** What a 503 tells the client to wait before retrying. */
export const RETRY_AFTER_SECONDS = 2;

/** The realm of every Bearer challenge. */
export const BEARER_REALM = 'tenantgate';

const BEARER_CREDENTIALS = /^[ \t]*bearer([ \t]|$)/i;

/**
 * The `WWW-Authenticate` challenge of a refusal (RFC 6750 §3), or null: `unauthorized` with no
 * bearer credentials in the request (no Authorization header, or another scheme) carries no
 * error code (§3.1); with a bearer token it is `invalid_token`; `insufficient_scope` names a
 * scope that would do when one is known.
 */
export function bearerChallenge(authorization: string | undefined, code: ErrorCode, requiredScope?: string): string | null {
  const realm = `Bearer realm="${BEARER_REALM}"`;
  if (code === 'unauthorized') return BEARER_CREDENTIALS.test(authorization ?? '') ? `${realm}, error="invalid_token"` : realm;
  if (code === 'insufficient_scope') return `${realm}, error="insufficient_scope"${requiredScope ? `, scope="${requiredScope}"` : ''}`;
  return null;
}
