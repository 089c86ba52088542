/**
 * Where the middleware leaves a request's verified identity: on `req.identity`, and in a
 * WeakMap that `identityOf(req)` reads, so typed code needs no declaration merging.
 */
import type { IdentityError } from './errors.js';
import type { HeaderBag } from './headers.js';
import type { VerifiedIdentity } from './verify-identity.js';

const identities = new WeakMap<object, VerifiedIdentity>();

export function attachIdentity(request: object, identity: VerifiedIdentity): void {
  identities.set(request, identity);
  (request as { identity?: VerifiedIdentity }).identity = identity;
}

/** The identity the middleware verified for this request, or undefined. */
export function identityOf(request: object): VerifiedIdentity | undefined {
  return identities.get(request);
}

/**
 * What the middleware tells an observer after each verification: the extension point for
 * per-service observations (legacy-alias use is counted by createLegacyUseReporter,
 * legacy-report.ts).
 */
export interface VerificationEvent {
  headers: HeaderBag;
  method: string;
  url: string;
  identity?: VerifiedIdentity;
  error?: IdentityError;
}

export interface MiddlewareHooks {
  /** Called once per request after verification, success or refusal. Must not throw. */
  onVerification?: (event: VerificationEvent) => void;
}

export function notify(hooks: MiddlewareHooks, event: VerificationEvent): void {
  if (!hooks.onVerification) return;
  try {
    hooks.onVerification(event);
  } catch {
    // An observer's failure must never turn into a refused or failed request.
  }
}
