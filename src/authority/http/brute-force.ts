/**
 * What the sign-in and client-authentication routes share for brute-force resistance: the
 * request's real client address, the throttle, and the 429 answer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from '../../contract/errors.ts';
import { envelopeKeyLookup } from '../../identity/envelope.ts';
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
}

export async function bruteForceGuard(services: AuthorityServices): Promise<BruteForceGuard> {
  const { ctx } = services;
  const throttle = new AuthenticationThrottle(
    ctx.db,
    ctx.config.authority.bruteForce,
    (event) => void services.audit.write(event).catch((err) => ctx.logger.warn({ err: (err as Error).message }, 'audit write failed')),
    (err) => ctx.logger.warn({ err: (err as Error).message }, 'authentication failure records not read; lockouts from other instances wait'),
    () => ctx.clock.now().getTime(),
  );
  await throttle.start();
  return {
    throttle,
    addressOf: clientAddressResolver(ctx.profile, envelopeKeyLookup(ctx.db), () => ctx.clock.now()),
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
  };
}
