/**
 * Stage 2 of the pipeline: verify the bearer token (CONTRACT.md §5) and turn it into the
 * identity `decide` works with. Verified tokens are cached (bounded), and a cached entry
 * never outlives the token's `exp`.
 */
import { jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import type { ContractProfile } from '../contract/profile.ts';
import { checkAccessTokenClaims } from '../identity/access-token-claims.ts';
import type { TokenIdentity } from '../identity/types.ts';
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
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
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

  /** The CONTRACT.md §5 claim rules (src/identity); a string result is the rejection reason. */
  private identityOf(payload: JWTPayload): TokenIdentity | string {
    const checked = checkAccessTokenClaims(payload as Record<string, unknown>, this.options.profile);
    if (!checked.ok) return checked.reason;
    const { subject, clientId, tenant, legacyTenant, allowedTenants, scopes } = checked.claims;
    return { subject, clientId, tenant, legacyTenant, allowedTenants, scopes, tokenId: checked.claims.tokenId, issuedAtMs: checked.claims.issuedAtMs, ...(checked.claims.synthetic ? { synthetic: true } : {}) };
  }
}
