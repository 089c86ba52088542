/**
 * The Authority's signing keys, cached. An unknown `kid` triggers at most one refetch per
 * cooldown (so forged kids cannot hammer the Authority); when the Authority is unreachable
 * the cached keys keep verifying.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTHeaderParameters, type FlattenedJWSInput } from 'jose';
import { request } from 'undici';

export interface JwksCacheOptions {
  url: string;
  cooldownMs: number;
  /** Retry interval while no key set was ever loaded. */
  emptyRetryMs?: number;
  timeoutMs?: number;
  onRefresh?: (result: 'ok' | 'error', error?: unknown) => void;
}

type KeyResolver = ReturnType<typeof createLocalJWKSet>;

export class JwksCache {
  private resolver: KeyResolver | null = null;
  private kids = new Set<string>();
  /** Last fetch caused by an unknown kid: the cooldown spaces these (start-up fetches do not count). */
  private lastOnDemand = 0;
  private inflight: Promise<void> | null = null;

  constructor(private readonly options: JwksCacheOptions) {}

  get loaded(): boolean {
    return this.resolver !== null;
  }

  has(kid: string): boolean {
    return this.kids.has(kid);
  }

  /** Fetches the key set now (coalesced); failures keep the previous set. */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** The key-resolution function jose's `jwtVerify` calls. */
  readonly getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
    const kid = header.kid;
    if (kid === undefined || !this.kids.has(kid)) {
      if (this.inflight) await this.inflight;
      const wait = this.resolver ? this.options.cooldownMs : (this.options.emptyRetryMs ?? 1000);
      if (!(kid !== undefined && this.kids.has(kid)) && Date.now() - this.lastOnDemand >= wait) {
        this.lastOnDemand = Date.now();
        await this.refresh();
      }
    }
    if (!this.resolver) throw new Error('no signing keys available from the Authority');
    return this.resolver(header, token);
  };

  private async fetchOnce(): Promise<void> {
    try {
      const res = await request(this.options.url, {
        method: 'GET',
        headersTimeout: this.options.timeoutMs ?? 5000,
        bodyTimeout: this.options.timeoutMs ?? 5000,
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`JWKS answered ${res.statusCode}`);
      }
      const jwks = (await res.body.json()) as JSONWebKeySet;
      if (!jwks || !Array.isArray(jwks.keys)) throw new Error('JWKS body has no keys array');
      this.resolver = createLocalJWKSet(jwks);
      this.kids = new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
      this.options.onRefresh?.('ok');
    } catch (err) {
      this.options.onRefresh?.('error', err);
    }
  }
}
