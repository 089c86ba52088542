/**
 * What the sign-in and client-authentication routes share for brute-force resistance: the
 * request's real client address, the throttle, and the 429 answer. The gateway's identity
 * keys (which tell a request the gateway forwarded from one sent straight here) are read from
 * their database copy, `gateway.identity_keys`, as the modules read them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { publicUrl } from '../../config/schema.ts';
import { problem } from '../../contract/errors.ts';
import { readIdentityKeySet } from '../../identity/identity-keys.ts';
import { IdentityKeySet } from '../../identity/key-set.ts';
import { RateLimitedLog } from '../../host/rate-limited-log.ts';
import type { AuthorityServices } from '../services.ts';
import { AuthenticationThrottle, type ThrottleSubject } from '../throttle/authentication-throttle.ts';
import { clientAddressResolver, type ClientAddressOf } from './client-address.ts';

export interface BruteForceGuard {
  throttle: AuthenticationThrottle;
  addressOf: ClientAddressOf;
  /** Answers 429 `rate_limited` with Retry-After (problem+json, with the RFC 6749 members too). */
  refuse(req: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number): FastifyReply;
  /** Records a failure; the lockout it imposes, if any, shows in the next attempt's answer. */
  failed(subjects: readonly ThrottleSubject[], reason: string, client?: string | null): Promise<void>;
  /** Stops the background timers (failure-table sync, identity key refresh). */
  stop(): void;
}

export async function bruteForceGuard(services: AuthorityServices): Promise<BruteForceGuard> {
  const { ctx } = services;
  // The sync and key refresh fail every second while the database is away: one line per cause per 10 s.
  const logs = {
    audit: new RateLimitedLog(10_000, Date.now, 'audit write failed'),
    sync: new RateLimitedLog(10_000, Date.now, 'authentication failure records not read; lockouts from other instances wait'),
    keys: new RateLimitedLog(10_000, Date.now, 'identity key set not refreshed; verifying with the keys in memory'),
  };
  const record = (log: RateLimitedLog) => (err: unknown) => void log.failure(ctx.logger, err);
  const throttle = new AuthenticationThrottle(
    ctx.db,
    ctx.config.authority.bruteForce,
    (event) => void services.audit.write(event).catch(record(logs.audit)),
    record(logs.sync),
    () => ctx.clock.now().getTime(),
  );
  await throttle.start();
  const keys = new IdentityKeySet({
    load: () => readIdentityKeySet(ctx.db),
    onError: record(logs.keys),
  });
  // Keys retired after a rotation leave the set without waiting for an unknown kid.
  const keyTimer = setInterval(() => void keys.refresh(), Math.max(ctx.config.gateway.identityKeyRefreshMs, 1_000));
  keyTimer.unref();
  const check = { keys, issuer: publicUrl(ctx.config), audience: 'authority', maxLifetimeSeconds: ctx.config.gateway.envelopeTtlSeconds };
  return {
    throttle,
    addressOf: clientAddressResolver(ctx.profile, check, () => ctx.clock.now()),
    refuse(req, reply, seconds) {
      const detail = `too many failed authentication attempts; retry in ${seconds} s`;
      return reply
        .code(429)
        .header('retry-after', String(seconds))
        .header('cache-control', 'no-store')
        .type('application/problem+json')
        .send({ ...problem('rate_limited', detail, req.id, 429), error: 'invalid_request', error_description: detail, error_code: 'rate_limited' });
    },
    async failed(subjects, reason, client = null) {
      await throttle.failed(subjects, { reason, client });
    },
    stop() {
      throttle.stop();
      clearInterval(keyTimer);
    },
  };
}
