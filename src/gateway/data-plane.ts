/**
 * The gateway's data plane: Node's HTTP server hands every request here first. A request
 * whose path the route table covers is carried by the pipeline (pipeline.ts) on Node's own
 * request and response — no framework request cycle, no reply objects, the upstream reached
 * through the gateway's own connection pools (forward.ts, upstream-h1.ts). Everything else (the console, the gateway's own
 * endpoints, /healthz, /readyz, /metrics, unknown paths) goes on to the Fastify app.
 *
 * What the host gives every request is kept: the request id (`X-Request-Id`), the request
 * metrics under the route's prefix, the tracing span named after it, and 503 while draining.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { requestIdOf, type FrontHandler, type HostFront } from '../host/app.ts';
import { writeProblem } from '../host/problem-response.ts';
import type { ActiveTracing } from '../telemetry/tracing/active.ts';
import type { Pipeline } from './pipeline.ts';
import { pathRefusal, type RouteTable } from './routes.ts';

export interface DataPlaneOptions {
  table: RouteTable;
  pipeline: Pipeline;
  tracing: ActiveTracing | null;
  /** Exact paths the gateway answers itself (its Fastify routes), even inside a routed prefix. */
  ownPaths(): ReadonlySet<string>;
}

export function dataPlane(options: DataPlaneOptions, host: HostFront): FrontHandler {
  const { table, pipeline, tracing } = options;
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    // Origin-form targets only; anything else is the framework's to refuse.
    if (url.charCodeAt(0) !== 47) return false;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const route = table.match(path);
    if (route === null || options.ownPaths().has(path)) return false;
    const started = performance.now();
    const requestId = requestIdOf(req.headers['x-request-id']);
    const method = req.method ?? 'GET';
    // The span is named after the route's prefix: bounded, and never the raw URL.
    tracing?.nameRequest(method, `${route.prefix}*`, { 'tenantgate.upstream': route.upstreamName });
    if (host.closing()) {
      res.setHeader('connection', 'close');
      const status = writeProblem(res, requestId, req.headers.authorization, { code: 'unavailable', detail: 'this instance is shutting down; retry on another' });
      host.metrics.observe(route.prefix, method, status, (performance.now() - started) / 1000);
      return true;
    }
    const refusal = pathRefusal(table, route, path);
    if (refusal !== null) {
      const status = writeProblem(res, requestId, req.headers.authorization, { code: 'validation_failed', detail: refusal });
      host.metrics.observe(route.prefix, method, status, (performance.now() - started) / 1000);
      return true;
    }
    pipeline.handle({ req, res, requestId, started, route, path, query: q === -1 ? '' : url.slice(q) });
    return true;
  };
}
