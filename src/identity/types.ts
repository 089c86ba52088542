/**
 * The identity types every component shares: what a verified access token says
 * (authority, gateway) and who a forwarded request acts for (gateway, modules, and any
 * service verifying the identity assertion).
 */

/** The CONTRACT.md §5 reading of a verified access token. */
export interface TokenIdentity {
  subject: string;
  clientId: string;
  /** `stellaops:tenant` (a normalized id), or null when the token carries none. */
  tenant: string | null;
  /** Legacy `tid` (a normalized id), read only when `tenant` is null. */
  legacyTenant: string | null;
  /** `stellaops:allowed_tenants`, or null when the token omits it. */
  allowedTenants: readonly string[] | null;
  scopes: readonly string[];
  /** `jti` (revocation of one token). */
  tokenId?: string | null;
  /** When the token was issued, ms (revocation of "every token issued before"). */
  issuedAtMs?: number;
  /** The token's client is synthetic (the acceptance matrix): its traffic is counted apart from real use. */
  synthetic?: boolean;
}

/** Who the gateway tells a service made the request: the claims of the identity assertion. */
export interface DownstreamIdentity {
  tenant: string | null;
  actor: string;
  client: string | null;
  scopes: readonly string[];
}

/** The algorithms identity assertions are signed with. */
export type IdentityAlgorithm = 'EdDSA' | 'ES256';
export const IDENTITY_ALGORITHMS: readonly IdentityAlgorithm[] = ['EdDSA', 'ES256'];

/** The JOSE `typ` of an identity assertion. */
export const IDENTITY_ASSERTION_TYPE = 'identity+jwt';
