/**
 * Names of the durable daily counter signals (ROLLOUT.md §3). Writers and the rollout gates
 * share these constants so a renamed signal cannot silently read as zero.
 */
export const signals = {
  /** Gateway: a legacy tenant header alias was accepted (labels: alias, client, tenant). */
  gatewayLegacyHeader: 'gateway.legacy_header',
  /** Gateway: a token carried only the legacy `tid` claim (labels: client, tenant). */
  gatewayLegacyTidClaim: 'gateway.legacy_tid_claim',
  /** Gateway: a reserved header was stripped (labels: alias = header, detail = kind). */
  gatewayHeaderStripped: 'gateway.header_stripped',
  /** Gateway: a spoof attempt (detail = reason). */
  gatewaySpoofAttempt: 'gateway.spoof_attempt',
  /** Gateway: tenant decisions (detail = outcome). */
  gatewayDecision: 'gateway.decision',
  /** Gateway: requests refused before reaching an upstream (detail = contract code, client). */
  gatewayRejection: 'gateway.rejection',
  /** Web console: code tried to set a legacy tenant header (labels: alias, client, tenant). */
  webLegacyHeader: 'web.legacy_header',
  /** Web console: tenant switches (detail = from>to:trigger). */
  webTenantSwitch: 'web.tenant_switch',
  /** Modules: a legacy alias was read by the tenant resolver (alias, tenant, detail = module). */
  moduleLegacyHeader: 'module.legacy_header',
  /** Declared external services: a legacy alias the service took the tenant from, as reported (alias, client, tenant, detail = service). */
  serviceLegacyHeader: 'service.legacy_header',
  /** Modules: a rejection by code (detail = module:code, tenant). */
  moduleRejection: 'module.rejection',
  /** Modules: 403/404 answers (detail = module:status, tenant). */
  moduleDenied: 'module.denied',
  /** Authority: issued tokens (detail = how, client, tenant). */
  authorityTokenIssued: 'authority.token_issued',
  /** Authority: tenant rejections at issuance (detail = code, client). */
  authorityTenantRejected: 'authority.tenant_rejected',
  /** Authority: token issuance failures of any kind (detail = error code). */
  authorityIssuanceFailed: 'authority.issuance_failed',
  /** Authority: a bearer token carried only the legacy `tid` claim (labels: client, tenant). */
  authorityLegacyTidClaim: 'authority.legacy_tid_claim',
} as const;

/** Every signal that counts as legacy use for the strict-mode gate. */
export const legacySignals: string[] = [signals.gatewayLegacyHeader, signals.gatewayLegacyTidClaim, signals.webLegacyHeader, signals.moduleLegacyHeader, signals.serviceLegacyHeader, signals.authorityLegacyTidClaim];
