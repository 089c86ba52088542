/**
 * The public keys a verifier accepts identity assertions from, cached in memory. A key id it
 * does not hold triggers a refresh, and an assertion is rejected as `identity_key_unknown`
 * only when a refresh that began after it arrived still does not hold its kid; when that
 * refresh failed (the database is away), the load's error is thrown instead, so an outage is
 * answered as one (503) and never as a bad assertion (401). Refreshes are
 * coalesced and spaced by `cooldownMs`, so forged kids cost at most one load per cooldown
 * (they wait for it instead of forcing another).
 */
import { createPublicKey, type JsonWebKey as NodeJsonWebKey, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JSONWebKeySet, JWK } from 'jose';
import { IDENTITY_ALGORITHMS, type IdentityAlgorithm } from './types.ts';

export interface VerificationKey {
  algorithm: IdentityAlgorithm;
  key: KeyObject;
}

export interface IdentityKeySetOptions {
  /** Loads the published key set (the database copy, or the gateway's JWKS over HTTP). */
  load: () => Promise<JSONWebKeySet>;
  cooldownMs?: number;
  onError?: (err: unknown) => void;
}

export class IdentityKeySet {
  private keys = new Map<string, VerificationKey>();
  private started = 0;
  private completed = 0;
  private lastStartMs = -Infinity;
  private pending: Promise<void> | null = null;
  /** Why the latest load failed; null once one succeeds. */
  private lastError: unknown = null;
  private readonly cooldownMs: number;

  constructor(private readonly options: IdentityKeySetOptions) {
    this.cooldownMs = options.cooldownMs ?? 1_000;
  }

  get kids(): string[] {
    return [...this.keys.keys()].sort();
  }

  /**
   * The key for `kid`, or null when a refresh begun after this call does not hold it either.
   * Throws the load's error when that refresh failed: the kid may be one it would have found.
   */
  async keyFor(kid: string): Promise<VerificationKey | null> {
    const hit = this.keys.get(kid);
    if (hit) return hit;
    const needed = this.started + 1;
    while (this.completed < needed) await this.refresh();
    const found = this.keys.get(kid);
    if (found) return found;
    if (this.lastError !== null) throw this.lastError;
    return null;
  }

  /** Loads the key set (coalesced, at most once per cooldown); a failed load keeps the keys. */
  refresh(): Promise<void> {
    this.pending ??= (async () => {
      const wait = this.lastStartMs + this.cooldownMs - Date.now();
      if (wait > 0) await sleep(wait);
      const number = ++this.started;
      this.lastStartMs = Date.now();
      try {
        this.keys = keysOf(await this.options.load());
        this.lastError = null;
      } catch (err) {
        this.lastError = err ?? new Error('the key set did not load');
        this.options.onError?.(err);
      } finally {
        this.completed = number;
        this.pending = null;
      }
    })();
    return this.pending;
  }
}

/** The verifying keys of a JWKS: Ed25519 (EdDSA) and P-256 (ES256) only, each with its kid. */
export function keysOf(jwks: JSONWebKeySet): Map<string, VerificationKey> {
  const keys = new Map<string, VerificationKey>();
  for (const jwk of jwks.keys ?? []) {
    const algorithm = algorithmOf(jwk);
    if (typeof jwk.kid !== 'string' || algorithm === null) continue;
    try {
      keys.set(jwk.kid, { algorithm, key: createPublicKey({ key: jwk as NodeJsonWebKey, format: 'jwk' }) });
    } catch {
      // A key this process cannot import is not one it verifies with.
    }
  }
  return keys;
}

function algorithmOf(jwk: JWK): IdentityAlgorithm | null {
  const alg = jwk.alg ?? (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'EdDSA' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : undefined);
  return (IDENTITY_ALGORITHMS as readonly string[]).includes(alg ?? '') ? (alg as IdentityAlgorithm) : null;
}
