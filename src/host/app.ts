/**
 * The component host: every component is a Fastify app with /healthz, /readyz, /metrics,
 * request ids, pino logs, problem+json errors from the one error table, and graceful
 * shutdown that drains in-flight requests.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { TenantgateError, problem, type ErrorCode } from '../contract/errors.ts';
import { componentPort } from '../config/schema.ts';
import { closeComponentContext, type ComponentContext } from './context.ts';
import { RequestMetrics } from './request-metrics.ts';
import { DatabaseUnavailableError } from '../db/unavailable.ts';
import { RateLimitedLog } from './rate-limited-log.ts';
import { clientErrorRefusal, finiteNumbers, frameworkRefusal, MAX_PARAM_LENGTH } from './refusals.ts';
import { activeTracing } from '../telemetry/tracing/active.ts';
import { bearerChallenge, RETRY_AFTER_SECONDS } from './problem-headers.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request's id: the client's `X-Request-Id` when it is a plain token, else a fresh one. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** What the host hands a component's front handler. */
export interface HostFront {
  metrics: RequestMetrics;
  /** True once the component is draining: new requests are refused with 503. */
  closing(): boolean;
}

/**
 * A handler that sees every request before Fastify does and answers the ones it takes
 * (returns true); the rest go on to Fastify's routing. The gateway's data plane is one.
 */
export type FrontHandler = (req: IncomingMessage, res: ServerResponse) => boolean;
/** One log line per outage cause per interval, carrying how many requests it failed. */
const outageLog = new RateLimitedLog(10_000);

export interface HostOptions {
  /** Fastify options to merge (e.g. bodyLimit). */
  bodyLimit?: number;
  /** Skip the default JSON 404 (the gateway renders its own). */
  customNotFound?: boolean;
  /**
   * What "ready" means for this component (default: its database answers). Runs under the
   * readiness timeout; a check that does not answer in time counts as not ready.
   */
  readiness?: ReadinessCheck;
  /** Builds the front handler (see FrontHandler) from what the host shares with it. */
  front?: (host: HostFront) => FrontHandler;
}

export interface Readiness {
  ready: boolean;
  /** Why not, in one line (the problem's detail). */
  detail?: string;
  /** Per-dependency state, shown in the body either way. */
  checks?: Record<string, unknown>;
}

export type ReadinessCheck = (timeoutMs: number) => Promise<Readiness>;

/** Ready when the component's database answers one round trip in time. */
export const databaseReadiness =
  (ctx: ComponentContext): ReadinessCheck =>
  async (timeoutMs) => {
    try {
      await ctx.db.ping(timeoutMs);
      return { ready: true, checks: { database: 'ok' } };
    } catch (err) {
      return { ready: false, detail: `database unreachable: ${(err as Error).message}`, checks: { database: 'unreachable' } };
    }
  };

async function withinTimeout(check: ReadinessCheck, timeoutMs: number): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, detail: `readiness checks did not answer within ${timeoutMs} ms` }), timeoutMs + 250);
  });
  try {
    return await Promise.race([check(timeoutMs).catch((err: Error) => ({ ready: false, detail: err.message })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A route as declared (method, URL pattern, schema): what a component answers, for tests and docs. */
export interface DeclaredRoute {
  method: string;
  url: string;
  schema: Record<string, any> | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route the app declared, in declaration order. */
    declaredRoutes: readonly DeclaredRoute[];
  }
  interface FastifyRequest {
    /**
     * The `route` label of the request metrics, for a request a wildcard route serves: the
     * component names the route it chose from its own bounded table (the gateway: the route
     * table's prefix), never a value taken from the request.
     */
    metricsRoute: string | null;
  }
}

/** The `route` label of requests no route (or only a wildcard) describes: one fixed value. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route pattern, bounded by the routes the app declares. A wildcard pattern (`/*`) tells
 * nothing about what answered, and is unmatched unless the component set `metricsRoute`.
 */
function routeLabel(pattern: string | undefined): string {
  return pattern === undefined || pattern.endsWith('*') ? UNMATCHED_ROUTE : pattern;
}

/** Node's HTTP server with Fastify's defaults, the front handler seeing each request first. */
function frontedServer(front: FrontHandler) {
  return (fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void) => {
    const server = createServer((req, res) => {
      if (!front(req, res)) fastifyHandler(req, res);
    });
    // Fastify's own defaults for the servers it creates.
    server.keepAliveTimeout = 72_000;
    server.requestTimeout = 0;
    return server;
  };
}

export function createApp(ctx: ComponentContext, options: HostOptions = {}): FastifyInstance {
  const metrics = new RequestMetrics(ctx.metrics);
  // While draining, a request on a kept-alive connection is refused, and the connection closed.
  let closing = false;
  const front = options.front?.({ metrics, closing: () => closing });
  const requestLogging = ctx.config.server.logLevel === 'debug' || ctx.config.server.logLevel === 'trace';
  const app = Fastify({
    loggerInstance: ctx.logger as unknown as FastifyBaseLogger,
    // Per-request log lines only at debug/trace: at info a busy gateway would log twice per request.
    logController: new LogController({ disableRequestLogging: !requestLogging }),
    // Without request logging, a pino child per request is pure overhead on the hot path:
    // request-scoped lines (errors) carry the request id explicitly instead.
    ...(requestLogging ? {} : { childLoggerFactory: (logger: FastifyBaseLogger) => logger }),
    bodyLimit: options.bodyLimit ?? 5 * 1024 * 1024,
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    ...(front ? { serverFactory: frontedServer(front) } : {}),
    // Answered by the hook below instead, as problem+json like every other 503.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { allowUnionTypes: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Refusals before routing (router, HTTP parser): problem+json too (refusals.ts).
    frameworkErrors: frameworkRefusal,
    clientErrorHandler: clientErrorRefusal,
  });

  const declared: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declared);
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) declared.push({ method, url: route.url, schema: route.schema as Record<string, any> | undefined });
    // Routes that validate input also refuse what validation lets through as ±Infinity.
    const schema = route.schema as Record<string, unknown> | undefined;
    if (schema && (schema.querystring || schema.query || schema.params || schema.body)) {
      const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
      route.preHandler = [finiteNumbers, ...own];
    }
  });

  // Callback-style hooks: an async hook costs a promise per request.
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (req, reply, done) => {
    if (!closing) return done();
    reply.header('connection', 'close');
    sendProblem(reply, req, 'unavailable', 'this instance is shutting down; retry on another');
  });
  const tracing = activeTracing();
  if (tracing) {
    const component = { 'tenantgate.component': ctx.name };
    app.addHook('onRequest', (req, _reply, done) => {
      tracing.nameRequest(req.method, req.routeOptions.url, component);
      done();
    });
  }
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });
  app.decorateRequest('metricsRoute', null);
  app.addHook('onResponse', (req, reply, done) => {
    metrics.observe(req.metricsRoute ?? routeLabel(req.routeOptions.url), req.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  app.setErrorHandler((err: FastifyError | TenantgateError, req, reply) => sendError(err, req, reply));
  if (!options.customNotFound) {
    app.setNotFoundHandler((req, reply) => sendProblem(reply, req, 'not_found', `no route for ${req.method} ${req.url.split('?')[0]}`));
  }

  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok', component: ctx.name, instance: ctx.instance.instanceId }));
  const readiness = options.readiness ?? databaseReadiness(ctx);
  app.get('/readyz', { logLevel: 'warn' }, async (req, reply) => {
    const result = await withinTimeout(readiness, ctx.config.server.readinessTimeoutMs);
    if (!result.ready) return sendProblem(reply, req, 'unavailable', result.detail ?? 'not ready', undefined, result.checks ? { checks: result.checks } : {});
    return { status: 'ready', component: ctx.name, flagVersion: ctx.flags.version, ...(result.checks ? { checks: result.checks } : {}) };
  });
  const exposition = ctx.metricsExposition ?? ctx.metrics;
  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) => {
    const text = await exposition.metrics();
    reply.header('content-type', exposition.contentType);
    return text;
  });
  return app;
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, code: ErrorCode, detail: string, status?: number, extra: Record<string, unknown> = {}, requiredScope?: string) {
  const body = problem(code, detail, req.id, status, extra);
  if (body.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  const challenge = bearerChallenge(req.headers.authorization, code, requiredScope);
  if (challenge) reply.header('www-authenticate', challenge);
  return reply.code(body.status).type('application/problem+json').send(body);
}

function sendError(err: FastifyError | TenantgateError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof DatabaseUnavailableError) {
    outageLog.record(req.log, err.outage, (err.cause as Error | undefined)?.message ?? err.message);
    return sendProblem(reply, req, 'unavailable', err.message);
  }
  if (err instanceof TenantgateError) return sendProblem(reply, req, err.code, err.message, err.status, err.extra, err.requiredScope);
  // PostgreSQL class 22 (data exception): a request value the column cannot hold (a malformed
  // date or uuid, a NUL byte, a number out of range) — the request's fault, never a 500.
  if (isDataException(err)) return sendProblem(reply, req, 'validation_failed', 'a value in the request is not valid for its field');
  const fe = err as FastifyError;
  if (fe.validation) return sendProblem(reply, req, 'validation_failed', fe.message);
  if (fe.statusCode === 429) return sendProblem(reply, req, 'rate_limited', fe.message);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code: ErrorCode = fe.statusCode === 404 ? 'not_found' : 'validation_failed';
    return sendProblem(reply, req, code, fe.message, fe.statusCode);
  }
  req.log.error({ err, reqId: req.id }, 'unhandled error');
  return sendProblem(reply, req, 'internal_error', 'an internal error occurred; see the server log for the trace id');
}

function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && code.startsWith('22') && typeof (err as { severity?: unknown }).severity === 'string';
}

export interface RunningComponent {
  name: string;
  url: string;
  port: number;
  app: FastifyInstance;
  ctx: ComponentContext;
  close(): Promise<void>;
}

/** Starts `app` on the component's port (or `port`), returning a handle that drains and closes. */
export async function listen(app: FastifyInstance, ctx: ComponentContext, port = componentPort(ctx.config, ctx.name), onClose?: () => Promise<void>): Promise<RunningComponent> {
  await app.listen({ host: ctx.config.server.host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const host = ctx.config.server.host === '0.0.0.0' ? '127.0.0.1' : ctx.config.server.host;
  let closing: Promise<void> | null = null;
  return {
    name: ctx.name,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    port: actualPort,
    app,
    ctx,
    close: () => {
      closing ??= (async () => {
        const grace = setTimeout(() => app.server.closeAllConnections?.(), ctx.config.server.shutdownGraceMs);
        grace.unref();
        await app.close();
        clearTimeout(grace);
        await onClose?.();
        await closeComponentContext(ctx);
      })();
      return closing;
    },
  };
}
