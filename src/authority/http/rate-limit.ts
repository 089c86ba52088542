/**
 * Per-client and per-IP limits on the OAuth endpoints (@fastify/rate-limit). Both apply; the
 * first exceeded answers 429 with Retry-After. Limits are per instance and per minute. The
 * address is the request's real client address (see client-address.ts), not the gateway's.
 * Failed authentications are limited separately, across instances (brute-force.ts).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.ts';
import { claimedClientId } from './client-authentication.ts';
import type { ClientAddressOf } from './client-address.ts';

export type RateLimitCheck = (req: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

export async function oauthRateLimit(app: FastifyInstance, config: Config, addressOf: ClientAddressOf): Promise<RateLimitCheck> {
  await app.register(rateLimit, { global: false });
  const { perClientPerMinute, perIpPerMinute } = config.authority.rateLimit;
  const addresses = new WeakMap<FastifyRequest, string>();
  const address = (req: FastifyRequest) => addresses.get(req) ?? req.ip;
  const perIp = app.createRateLimit({ max: perIpPerMinute, timeWindow: 60_000, keyGenerator: (req) => `ip:${address(req)}` });
  const perClient = app.createRateLimit({ max: perClientPerMinute, timeWindow: 60_000, keyGenerator: (req) => `client:${claimedClientId(req) ?? `anonymous@${address(req)}`}` });
  /** Returns false (after answering 429) when the request is over a limit. */
  return async (req, reply) => {
    addresses.set(req, await addressOf(req));
    for (const [limit, name] of [
      [perIp, 'address'],
      [perClient, 'client'],
    ] as const) {
      const result = await limit(req);
      if (!result.isAllowed && result.isExceeded) {
        await reply
          .code(429)
          .header('retry-after', String(Math.max(1, result.ttlInSeconds)))
          .header('cache-control', 'no-store')
          .send({ error: 'invalid_request', error_description: `too many requests from this ${name}; retry later`, error_code: 'rate_limited' });
        return false;
      }
    }
    return true;
  };
}
