/**
 * @tenantgate/verify — verify the identity assertion tenantgate's gateway forwards to the
 * services behind it. See docs/services.md in the tenantgate repository.
 */
export { verifyIdentity, createIdentityVerifier, requestTarget, ASSERTION_TYPE, DEFAULT_ALGORITHMS, DEFAULT_IDENTITY_HEADER, DEFAULT_TENANT_HEADER, TENANT_CLAIM } from './verify-identity.js';
export type { IdentityClaims, IdentityVerifier, RequestBinding, VerifiedIdentity, VerifierOptions, VerifyOptions } from './verify-identity.js';
export { checkAssertion, DEFAULT_MAX_LIFETIME_SEC } from './check-assertion.js';
export type { AssertionInput, AssertionPolicy, CheckedAssertion, KeySource } from './check-assertion.js';
export { IdentityError, IDENTITY_ERRORS, isIdentityError } from './errors.js';
export type { IdentityErrorCode } from './errors.js';
export { remoteKeySet, DEFAULT_KEY_SET_OPTIONS } from './key-set.js';
export type { KeySet, KeySetOptions } from './key-set.js';
export { isNormalizedTenantId } from './tenant.js';
export type { HeaderBag } from './headers.js';
export { problemFor, PROBLEM_CONTENT_TYPE } from './problem.js';
export type { Problem } from './problem.js';
export { identityOf } from './request-identity.js';
export type { MiddlewareHooks, VerificationEvent } from './request-identity.js';
export { identityMiddleware } from './middleware/connect.js';
export type { ConnectNext, ConnectRequest } from './middleware/connect.js';
export { identityHook } from './middleware/fastify.js';
export type { FastifyLikeReply, FastifyLikeRequest } from './middleware/fastify.js';
export { withIdentity, sendProblem } from './middleware/node-http.js';
export type { IdentityHandler } from './middleware/node-http.js';
export { createLegacyUseReporter, DEFAULT_LEGACY_TENANT_HEADERS, LEGACY_REPORT_PATH, LEGACY_REPORT_SCOPE } from './legacy-report.js';
export type { LegacyUse, LegacyUseReporter, LegacyUseReporterOptions, TenantFromHeaders } from './legacy-report.js';
