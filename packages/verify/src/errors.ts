/**
 * Every way a request's identity assertion can be refused, each with a stable code. The codes
 * are the contract with callers and with the services' logs: never rename one.
 */

/** Code → HTTP status and a one-line title, the single table the middleware answers from. */
export const IDENTITY_ERRORS = {
  missing_assertion: { status: 401, title: 'Missing identity assertion' },
  malformed_assertion: { status: 401, title: 'Malformed identity assertion' },
  bad_signature: { status: 401, title: 'Bad assertion signature' },
  unknown_key: { status: 401, title: 'Unknown assertion key' },
  wrong_audience: { status: 401, title: 'Assertion meant for another service' },
  wrong_issuer: { status: 401, title: 'Assertion from another issuer' },
  wrong_method: { status: 401, title: 'Assertion bound to another method' },
  wrong_target: { status: 401, title: 'Assertion bound to another request target' },
  expired: { status: 401, title: 'Assertion expired' },
  not_yet_valid: { status: 401, title: 'Assertion not yet valid' },
  wrong_type: { status: 401, title: 'Not an identity assertion' },
  algorithm_not_allowed: { status: 401, title: 'Assertion algorithm not allowed' },
  invalid_tenant: { status: 401, title: 'Invalid assertion tenant' },
  tenant_mismatch: { status: 401, title: 'Tenant header differs from the assertion' },
  // Not the caller's fault: the service cannot reach the gateway's key set, so it cannot decide.
  key_set_unavailable: { status: 503, title: 'Identity key set unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type IdentityErrorCode = keyof typeof IDENTITY_ERRORS;

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  readonly code: IdentityErrorCode;
  /** HTTP status a service answers with: 401, or 503 for `key_set_unavailable`. */
  readonly status: number;

  constructor(code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = IDENTITY_ERRORS[code].status;
  }
}

export function isIdentityError(value: unknown): value is IdentityError {
  return value instanceof IdentityError;
}
