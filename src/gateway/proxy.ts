/**
 * Stage 5 of the pipeline: forwarding through @fastify/reply-from over undici keep-alive
 * pools. Upstream slow → 504 `gateway_timeout`; refused or broken → 502 `bad_gateway`.
 */
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { ErrorCode } from '../contract/errors.ts';
import { sendProblem } from '../host/app.ts';

export async function registerProxy(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(replyFrom, {
    disableRequestLogging: true,
    undici: {
      headersTimeout: config.gateway.upstreamTimeoutMs,
      bodyTimeout: config.gateway.upstreamTimeoutMs,
      connectTimeout: Math.min(config.gateway.upstreamTimeoutMs, 10_000),
      keepAliveTimeout: 30_000,
      connections: 256,
      pipelining: 1,
    },
  });
}

/** How an upstream failure is answered. */
export function upstreamFailure(error: { statusCode?: number; code?: string; cause?: unknown }): { code: ErrorCode; detail: string } {
  const cause = error.cause as { code?: string } | undefined;
  if (error.statusCode === 504 || error.code === 'FST_REPLY_FROM_GATEWAY_TIMEOUT' || error.code === 'FST_REPLY_FROM_CONNECT_TIMEOUT' || cause?.code === 'UND_ERR_HEADERS_TIMEOUT' || cause?.code === 'UND_ERR_BODY_TIMEOUT') {
    return { code: 'gateway_timeout', detail: 'the upstream did not answer in time' };
  }
  if (cause?.code === 'ECONNREFUSED') return { code: 'bad_gateway', detail: 'the upstream refused the connection' };
  return { code: 'bad_gateway', detail: 'the upstream connection failed' };
}

export function answerUpstreamFailure(reply: FastifyReply, error: { statusCode?: number; code?: string; cause?: unknown }): { code: ErrorCode } {
  const failure = upstreamFailure(error);
  void sendProblem(reply, reply.request, failure.code, failure.detail);
  return failure;
}
