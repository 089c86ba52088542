/**
 * The types that carry one request through the gateway pipeline (ARCHITECTURE.md:
 * classify → authenticate → decide → rewrite → proxy → record), apart from the stages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authentication } from './authenticate.ts';
import type { Classification } from './classify.ts';
import type { GatewayFlags } from './decide.ts';
import type { CompiledRoute } from './routes.ts';

/** One request between stages; the parts that may wait (token, client age) chain on it. */
export interface InFlight {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request id: echoed in `X-Request-Id` and in every problem's `traceId`. */
  requestId: string;
  /** `performance.now()` when the request arrived. */
  started: number;
  route: CompiledRoute;
  path: string;
  query: string;
  classification: Classification;
  flags: GatewayFlags;
  auth: Authentication | null;
}
