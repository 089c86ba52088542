/**
 * The gateway's published key set (`GET {gateway}/.well-known/identity-jwks.json`), cached.
 *
 * jose's remote key set does the caching: keys are kept for `cacheMaxAgeMs`, an assertion
 * whose `kid` is not in the cache causes one refetch, and no refetch happens within
 * `cooldownMs` of the previous fetch, so a flood of made-up key ids costs the gateway at most
 * one request per cooldown. Concurrent misses share one fetch.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

export interface KeySetOptions {
  /** Minimum gap between two fetches of the key set. Default 30 s. */
  cooldownMs?: number;
  /** Keys older than this are refetched before use. Default 10 min. */
  cacheMaxAgeMs?: number;
  /** A fetch that takes longer fails (`key_set_unavailable`). Default 5 s. */
  timeoutMs?: number;
}

export const DEFAULT_KEY_SET_OPTIONS = { cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: 5_000 } as const;

export type KeySet = JWTVerifyGetKey & {
  /** True while the cached keys are younger than `cacheMaxAgeMs`. */
  readonly fresh: boolean;
  /** Fetches the key set now, whatever the cooldown. */
  reload(): Promise<void>;
};

export function remoteKeySet(jwksUrl: string | URL, options: KeySetOptions = {}): KeySet {
  const url = typeof jwksUrl === 'string' ? new URL(jwksUrl) : jwksUrl;
  return createRemoteJWKSet(url, {
    cooldownDuration: options.cooldownMs ?? DEFAULT_KEY_SET_OPTIONS.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs ?? DEFAULT_KEY_SET_OPTIONS.cacheMaxAgeMs,
    timeoutDuration: options.timeoutMs ?? DEFAULT_KEY_SET_OPTIONS.timeoutMs,
  });
}
