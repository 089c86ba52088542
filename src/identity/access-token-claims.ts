/**
 * The CONTRACT.md §5 claim rules of an access token whose signature, `alg`, `typ`, `iss`,
 * `aud` and lifetime were already checked: ONE implementation, used by the gateway
 * (gateway/verify-token.ts) and the Authority (authority/tokens/validate-access-token.ts).
 *
 * Where the two used to differ, the stricter rule holds:
 * - a tenant claim must already be a normalized id (no surrounding space, no upper case):
 *   the Authority only ever issues normalized ids, so anything else was not issued by it
 *   as-is and is rejected, never repaired;
 * - `jti` is required (revocation and audit name the token by it).
 * The legacy `tid` claim is read under the same rule; whether it is admissible in place of
 * `stellaops:tenant` is the caller's decision (compatibility mode), not a claim rule.
 */
import { issuedAtMs } from './token-id.ts';
import type { ContractProfile } from '../contract/profile.ts';
import { isNormalizedTenantId, parseTenantSet } from '../contract/tenant.ts';
import type { TokenIdentity } from './types.ts';

export type ClaimRejection =
  | 'sub_missing'
  | 'client_id_missing'
  | 'jti_missing'
  | 'exp_missing'
  | 'iat_missing'
  | 'scope_malformed'
  | 'tenant_claim_malformed'
  | 'tid_claim_malformed'
  | 'allowed_tenants_malformed'
  | 'tenant_out_of_assignment';

/**
 * Marks a token issued to a synthetic client (the acceptance matrix's): `true` or absent. The
 * gateway counts such a token's requests in `tenantgate_synthetic_requests_total`, apart from
 * the legacy-use metrics. It grants nothing and changes no decision.
 */
export const SYNTHETIC_CLAIM = 'tenantgate:synthetic';

export interface AccessTokenClaims extends TokenIdentity {
  tokenId: string;
  issuedAtMs: number;
  /** `iat`, seconds since the epoch. */
  issuedAt: number;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export type ClaimCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: ClaimRejection; detail: string };

const DELIMITER = /[\s,;]/;

function fail(reason: ClaimRejection, detail: string): ClaimCheck {
  return { ok: false, reason, detail };
}

/** A single, already normalized tenant id, or why not. */
function tenantClaim(raw: unknown): string | 'malformed' | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || DELIMITER.test(raw) || !isNormalizedTenantId(raw)) return 'malformed';
  return raw;
}

export function checkAccessTokenClaims(payload: Record<string, unknown>, profile: ContractProfile): ClaimCheck {
  const { sub, client_id: clientId, jti, exp, iat, scope } = payload;
  if (typeof sub !== 'string' || sub === '') return fail('sub_missing', 'sub must be a non-empty string');
  if (typeof clientId !== 'string' || clientId === '') return fail('client_id_missing', 'client_id must be a non-empty string');
  if (typeof jti !== 'string' || jti === '') return fail('jti_missing', 'jti must be a non-empty string');
  if (typeof exp !== 'number') return fail('exp_missing', 'exp must be a number');
  if (typeof iat !== 'number') return fail('iat_missing', 'iat must be a number');
  if (scope !== undefined && typeof scope !== 'string') return fail('scope_malformed', 'scope must be a space-delimited string');
  const scopes = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];

  const tenant = tenantClaim(payload[profile.selectedTenantClaim]);
  if (tenant === 'malformed') return fail('tenant_claim_malformed', `${profile.selectedTenantClaim} is not a single normalized tenant id`);
  let legacyTenant: string | null = null;
  if (tenant === null) {
    const tid = tenantClaim(payload[profile.legacyTenantClaim]);
    if (tid === 'malformed') return fail('tid_claim_malformed', `${profile.legacyTenantClaim} is not a single normalized tenant id`);
    legacyTenant = tid;
  }
  let allowedTenants: string[] | null = null;
  const rawAllowed = payload[profile.allowedTenantsClaim];
  if (rawAllowed !== undefined) {
    const wellTyped = typeof rawAllowed === 'string' || (Array.isArray(rawAllowed) && rawAllowed.every((t) => typeof t === 'string'));
    const parsed = wellTyped ? parseTenantSet(rawAllowed as string | string[]) : null;
    if (!parsed?.ok) return fail('allowed_tenants_malformed', `${profile.allowedTenantsClaim} is malformed`);
    allowedTenants = parsed.tenants;
    const selected = tenant ?? legacyTenant;
    if (selected !== null && !allowedTenants.includes(selected)) return fail('tenant_out_of_assignment', `the tenant is not in ${profile.allowedTenantsClaim}`);
  }
  const synthetic = payload[SYNTHETIC_CLAIM] === true ? { synthetic: true } : {};
  return { ok: true, claims: { subject: sub, clientId, tenant, legacyTenant, allowedTenants, scopes, tokenId: jti, issuedAtMs: issuedAtMs(jti, iat), issuedAt: iat, expiresAt: exp, ...synthetic } };
}
