/**
 * The types that carry one request through the gateway pipeline (ARCHITECTURE.md:
 * classify → authenticate → decide → rewrite → proxy → record), apart from the stages.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authentication } from './authenticate.ts';
import type { Classification } from './classify.ts';
import type { GatewayFlags } from './decide.ts';
import type { DownstreamIdentity } from './rewrite.ts';
import type { CompiledRoute } from './routes.ts';

/** What the proxy hooks need for a request the pipeline forwards. */
export interface Forward {
  route: CompiledRoute;
  identity: DownstreamIdentity;
  emitLegacy: boolean;
  /** Path and query as sent upstream. */
  target: string;
}

/** One request between stages; the parts that may wait (token, client age) chain on it. */
export interface InFlight {
  req: FastifyRequest;
  reply: FastifyReply;
  route: CompiledRoute;
  path: string;
  query: string;
  classification: Classification;
  flags: GatewayFlags;
  auth: Authentication | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the pipeline for a request it forwards: what the proxy hooks need. */
    gatewayForward: Forward | null;
  }
}
