/**
 * The contract profile: every header, claim and parameter name of the tenancy contract.
 * Code never spells these strings outside this module; a deployment renames them through
 * configuration (`profile.*`) without code changes.
 */
export interface ContractProfile {
  canonicalTenantHeader: string;
  legacyTenantHeaders: string[];
  selectedTenantClaim: string;
  allowedTenantsClaim: string;
  legacyTenantClaim: string;
  tenantMetadata: string;
  tenantsMetadata: string;
  tenantParameter: string;
  /** Downstream identity headers the gateway writes (besides the tenant). */
  actorHeader: string;
  clientHeader: string;
  scopesHeader: string;
  projectHeader: string;
  /** Legacy counterparts of the downstream identity headers (reserved, stripped inbound). */
  legacyIdentityHeaders: string[];
  /** Header-auth mode names: scope-override headers and the legacy tenant-id header. */
  scopeOverrideHeaders: string[];
  /** The identity assertion (one compact JWS, CONTRACT.md §8) the gateway writes. */
  identityHeader: string;
  /** Raw claim names that must never arrive as headers. */
  rawClaimHeaders: string[];
  /** Any header whose name starts with one of these prefixes is reserved. */
  reservedPrefixes: string[];
  /** Consumed authentication headers: not forwarded unless a route opts in. */
  consumedAuthHeaders: string[];
}

export const defaultProfile: ContractProfile = Object.freeze({
  canonicalTenantHeader: 'X-StellaOps-Tenant',
  legacyTenantHeaders: ['X-Stella-Tenant', 'X-Tenant-Id'],
  selectedTenantClaim: 'stellaops:tenant',
  allowedTenantsClaim: 'stellaops:allowed_tenants',
  legacyTenantClaim: 'tid',
  tenantMetadata: 'tenant',
  tenantsMetadata: 'tenants',
  tenantParameter: 'tenant',
  actorHeader: 'X-StellaOps-Actor',
  clientHeader: 'X-StellaOps-Client',
  scopesHeader: 'X-StellaOps-Scopes',
  projectHeader: 'X-StellaOps-Project',
  legacyIdentityHeaders: ['X-Stella-Project', 'X-Stella-Actor', 'X-Stella-Scopes'],
  scopeOverrideHeaders: ['X-Scopes'],
  identityHeader: 'X-StellaOps-Identity',
  rawClaimHeaders: ['sub', 'tid', 'scope', 'scp', 'cnf', 'cnf.jkt'],
  reservedPrefixes: ['x-stellaops-', 'x-stella-'],
  consumedAuthHeaders: ['Authorization', 'DPoP'],
}) as ContractProfile;
