/**
 * The Authority's signing keys, cached. They come from the Authority's JWKS over HTTP, or —
 * when the Authority cannot be reached — from the copy it publishes in PostgreSQL, so a
 * gateway started during an Authority outage still verifies. An unknown `kid` triggers at
 * most one refetch per cooldown (so forged kids cannot hammer the Authority); when neither
 * source answers the cached keys keep verifying.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTHeaderParameters, type FlattenedJWSInput } from 'jose';
import { request } from 'undici';

export interface JwksCacheOptions {
  url: string;
  cooldownMs: number;
  /** Retry interval while no key set was ever loaded. */
  emptyRetryMs?: number;
  timeoutMs?: number;
  /** The key set the Authority publishes in PostgreSQL, read when the HTTP fetch fails. */
  fallback?: () => Promise<JSONWebKeySet>;
  onRefresh?: (result: 'ok' | 'error', error?: unknown, source?: KeySource) => void;
}

export type KeySource = 'http' | 'database';

/**
 * How often a gateway re-fetches the key set on its own, so keys the Authority pre-publishes
 * arrive before the first token signed with them: ten cooldowns, at least a minute.
 */
export function jwksRefreshIntervalMs(cooldownMs: number): number {
  return Math.max(cooldownMs * 10, 60_000);
}

/** No key set was ever loaded: the gateway cannot verify any token (an outage, not a bad token). */
export class NoVerificationKeysError extends Error {
  constructor() {
    super('no token verification keys available (the Authority and its published key set are unreachable)');
  }
}

type KeyResolver = ReturnType<typeof createLocalJWKSet>;

export class JwksCache {
  private resolver: KeyResolver | null = null;
  private kids = new Set<string>();
  /** Last fetch caused by an unknown kid: the cooldown spaces these (start-up fetches do not count). */
  private lastOnDemand = 0;
  private inflight: Promise<void> | null = null;
  private source: KeySource | null = null;
  private loadedAt: number | null = null;

  constructor(private readonly options: JwksCacheOptions) {}

  /** True once a key set holding at least one key was loaded. */
  get loaded(): boolean {
    return this.resolver !== null && this.kids.size > 0;
  }

  /** The key ids it verifies with, and where they last came from. */
  get state(): { kids: string[]; source: KeySource | null; loadedAt: number | null } {
    return { kids: [...this.kids].sort(), source: this.source, loadedAt: this.loadedAt };
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
    if (!this.resolver) throw new NoVerificationKeysError();
    return this.resolver(header, token);
  };

  private async fetchOnce(): Promise<void> {
    let jwks: JSONWebKeySet;
    let source: KeySource = 'http';
    try {
      jwks = await this.fetchHttp();
    } catch (httpError) {
      if (!this.options.fallback) return this.options.onRefresh?.('error', httpError, 'http');
      source = 'database';
      try {
        jwks = await this.options.fallback();
      } catch (dbError) {
        return this.options.onRefresh?.('error', new Error(`${(httpError as Error).message}; published keys: ${(dbError as Error).message}`), 'database');
      }
    }
    const kids = jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string');
    // An empty set is no key set: it never replaces keys that verify, and holding it would
    // turn "no keys" (an outage) into "unknown key" (a bad token).
    if (kids.length === 0) return this.options.onRefresh?.('error', new Error(`the ${source} key set is empty`), source);
    this.resolver = createLocalJWKSet(jwks);
    this.kids = new Set(kids);
    this.source = source;
    this.loadedAt = Date.now();
    this.options.onRefresh?.('ok', undefined, source);
  }

  private async fetchHttp(): Promise<JSONWebKeySet> {
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
    return jwks;
  }
}
