/** The answer to a refused assertion: problem+json (RFC 9457) carrying the stable code. */
import { IDENTITY_ERRORS, IdentityError } from './errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemFor(error: IdentityError): Problem {
  return {
    type: `https://tenantgate.dev/problems/${error.code}`,
    title: IDENTITY_ERRORS[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
  };
}

/** Anything thrown that is not an IdentityError is a bug in the caller's setup, not a refusal. */
export function asIdentityError(err: unknown): IdentityError | null {
  return err instanceof IdentityError ? err : null;
}
