/** The gateway's public face: what modules and tests import. */
export { signEnvelope, verifyEnvelope, envelopeKeyLookup, loadOrCreateEnvelopeSigningKey, ENVELOPE_ALGORITHM } from './envelope.ts';
export type { EnvelopeClaims, EnvelopeIdentity, EnvelopeInput, EnvelopeKeyLookup, EnvelopeVerification, SignedEnvelope } from './envelope.ts';
export { decide, strictApplies, needsClientAge } from './decide.ts';
export type { Decision, DecisionInput, GatewayFlags, TokenIdentity, TenantOutcome } from './decide.ts';
export { classifyHeaders } from './classify.ts';
export type { Classification, RequestedTenant } from './classify.ts';
export { compileHeaderCatalogue, equivalenceKey } from './header-catalogue.ts';
export { defaultRoutes, compileRoutes } from './routes.ts';
export { buildGatewayApp } from './app.ts';
export { startGateway } from './component.ts';
