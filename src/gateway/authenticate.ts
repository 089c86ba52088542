/**
 * Stage 2 of the pipeline: who presented this request. A bearer token in exactly one standard
 * `Authorization` header is verified (signature, claims, tenant rules) by the TokenVerifier;
 * anything else authenticates nobody.
 *
 * Hot path: a keep-alive connection usually repeats the same `Authorization` value, so each
 * connection remembers the last value it authenticated and its identity until the token's
 * `exp`. A repeat is then one string comparison — no regex over the token, no hashing of a
 * long key — and never outlives the token, exactly like the verified-token cache behind it.
 * With the cache turned off (`gateway.tokenCacheSize` 0) nothing is remembered either.
 */
import type { TokenIdentity } from './decide.ts';
import { KEYS_UNAVAILABLE, type TokenVerifier } from './verify-token.ts';

/** `unavailable`: no verification key is held at all, so nothing could be verified (an outage). */
export type Authentication = { token: TokenIdentity | null; reason: string; unavailable?: boolean };

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

interface Remembered {
  header: string;
  identity: TokenIdentity;
  expMs: number;
  /** The revocation list's generation this identity was last checked against. */
  generation: number;
}

/** The revocations a gateway holds (see revocations.ts); none when absent. */
export interface Revocations {
  readonly generation: number;
  revokes(identity: TokenIdentity): boolean;
}

const REVOKED: Authentication = { token: null, reason: 'token rejected (revoked)' };

export class Authenticator {
  private readonly byConnection = new WeakMap<object, Remembered>();

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly now: () => number,
    private readonly revocations: Revocations | null = null,
  ) {}

  private revoked(identity: TokenIdentity): boolean {
    return this.revocations !== null && this.revocations.revokes(identity);
  }

  /**
   * Answers without a promise when it can: no or malformed credentials, or a token already
   * verified. Otherwise returns the bearer token that still needs verifying.
   */
  quick(authorization: readonly string[], connection: object): Authentication | string {
    if (authorization.length === 0) return { token: null, reason: 'no bearer token' };
    // Two credentials on one request are ambiguous: neither is trusted.
    if (authorization.length > 1) return { token: null, reason: 'more than one Authorization header' };
    const header = authorization[0];
    const last = this.byConnection.get(connection);
    if (last !== undefined && last.header === header && this.now() < last.expMs) {
      // Checked again only when the revocation list changed since.
      const generation = this.revocations?.generation ?? 0;
      if (last.generation !== generation) {
        if (this.revoked(last.identity)) return REVOKED;
        last.generation = generation;
      }
      return { token: last.identity, reason: '' };
    }
    const m = BEARER.exec(header);
    if (!m) return { token: null, reason: 'Authorization is not a bearer token' };
    const hit = this.verifier.cached(m[1]);
    if (!hit?.ok) return m[1];
    if (this.revoked(hit.identity)) return REVOKED;
    this.remember(connection, header, hit.identity, hit.expiresAt);
    return { token: hit.identity, reason: '' };
  }

  /** Verifies a token `quick` could not answer for. */
  async verify(token: string, header: string, connection: object): Promise<Authentication> {
    const result = await this.verifier.verify(token);
    if (!result.ok) return { token: null, reason: `token rejected (${result.reason})`, unavailable: result.reason === KEYS_UNAVAILABLE };
    if (this.revoked(result.identity)) return REVOKED;
    this.remember(connection, header, result.identity, result.expiresAt);
    return { token: result.identity, reason: '' };
  }

  private remember(connection: object, header: string, identity: TokenIdentity, expMs: number): void {
    if (this.verifier.caches) this.byConnection.set(connection, { header, identity, expMs, generation: this.revocations?.generation ?? 0 });
  }
}
