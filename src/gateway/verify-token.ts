/**
 * Stage 2 of the pipeline: verify the bearer token (CONTRACT.md §5) and turn it into the
 * identity `decide` works with. Verified tokens are cached (bounded), and a cached entry
 * never outlives the token's `exp`.
 */
import { jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import type { ContractProfile } from '../contract/profile.ts';
import { normalizeTenantId, parseTenantSet } from '../contract/tenant.ts';
import { issuedAtMs } from '../identity/token-id.ts';
import type { TokenIdentity } from './decide.ts';
import { NoVerificationKeysError, type JwksCache } from './jwks-cache.ts';

export const ALLOWED_ALGORITHMS = ['EdDSA', 'ES256'];

/** The gateway holds no key at all: an outage (503), not a bad token (401). */
export const KEYS_UNAVAILABLE = 'keys_unavailable';

export interface TokenVerifierOptions {
  keys: JwksCache;
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  cacheSize: number;
  profile: ContractProfile;
  now?: () => number;
}

export type TokenVerification = { ok: true; identity: TokenIdentity; expiresAt: number } | { ok: false; reason: string };

const TENANT_DELIMITER = /[\s,;]/;

export class TokenVerifier {
  private readonly cache = new Map<string, { identity: TokenIdentity; expMs: number }>();
  private readonly now: () => number;

  constructor(private readonly options: TokenVerifierOptions) {
    this.now = options.now ?? Date.now;
  }

  /** False when `cacheSize` is 0: every presentation of a token is verified in full. */
  get caches(): boolean {
    return this.options.cacheSize > 0;
  }

  get cachedTokens(): number {
    return this.cache.size;
  }

  /** A verification answered from the cache without a promise (hot path), or null. */
  cached(token: string): TokenVerification | null {
    const hit = this.cache.get(token);
    return hit && this.now() < hit.expMs ? { ok: true, identity: hit.identity, expiresAt: hit.expMs } : null;
  }

  async verify(token: string): Promise<TokenVerification> {
    const hit = this.cache.get(token);
    if (hit) {
      if (this.now() < hit.expMs) return { ok: true, identity: hit.identity, expiresAt: hit.expMs };
      this.cache.delete(token);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.options.keys.getKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        typ: 'at+jwt',
        clockTolerance: this.options.clockSkewSeconds,
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: new Date(this.now()),
      }));
    } catch (err) {
      if (err instanceof NoVerificationKeysError) return { ok: false, reason: KEYS_UNAVAILABLE };
      return { ok: false, reason: err instanceof joseErrors.JOSEError ? err.code : 'unverifiable' };
    }
    const identity = this.identityOf(payload);
    if (typeof identity === 'string') return { ok: false, reason: identity };
    const expMs = (payload.exp as number) * 1000;
    if (this.options.cacheSize > 0 && this.now() < expMs) {
      if (this.cache.size >= this.options.cacheSize) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.set(token, { identity, expMs });
    }
    return { ok: true, identity, expiresAt: expMs };
  }

  /** The CONTRACT.md §5 claim rules; a string result is the rejection reason. */
  private identityOf(payload: JWTPayload): TokenIdentity | string {
    const p = this.options.profile;
    const claims = payload as Record<string, unknown>;
    if (typeof payload.sub !== 'string' || payload.sub === '') return 'sub_missing';
    const clientId = claims.client_id;
    if (typeof clientId !== 'string' || clientId === '') return 'client_id_missing';
    const scope = claims.scope;
    if (scope !== undefined && typeof scope !== 'string') return 'scope_malformed';
    const scopes = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];

    let tenant: string | null = null;
    const rawTenant = claims[p.selectedTenantClaim];
    if (rawTenant !== undefined) {
      if (typeof rawTenant !== 'string' || TENANT_DELIMITER.test(rawTenant.trim())) return 'tenant_claim_malformed';
      tenant = normalizeTenantId(rawTenant);
      if (tenant === null) return 'tenant_claim_malformed';
    }
    let legacyTenant: string | null = null;
    const rawTid = claims[p.legacyTenantClaim];
    if (tenant === null && rawTid !== undefined) {
      if (typeof rawTid !== 'string' || TENANT_DELIMITER.test(rawTid.trim())) return 'tid_claim_malformed';
      legacyTenant = normalizeTenantId(rawTid);
      if (legacyTenant === null) return 'tid_claim_malformed';
    }
    let allowedTenants: string[] | null = null;
    const rawAllowed = claims[p.allowedTenantsClaim];
    if (rawAllowed !== undefined) {
      if (typeof rawAllowed !== 'string' && !(Array.isArray(rawAllowed) && rawAllowed.every((t) => typeof t === 'string'))) return 'allowed_tenants_malformed';
      const parsed = parseTenantSet(rawAllowed as string | string[]);
      if (!parsed.ok) return 'allowed_tenants_malformed';
      allowedTenants = parsed.tenants;
      const selected = tenant ?? legacyTenant;
      if (selected !== null && !allowedTenants.includes(selected)) return 'tenant_out_of_assignment';
    }
    const tokenId = typeof payload.jti === 'string' ? payload.jti : null;
    return { subject: payload.sub, clientId, tenant, legacyTenant, allowedTenants, scopes, tokenId, issuedAtMs: issuedAtMs(tokenId, payload.iat as number) };
  }
}
