/**
 * Stage 5 of the pipeline: forwarding. One connection pool per upstream origin (keep-alive,
 * no pipelining), on the gateway's own HTTP/1.1 client (upstream-h1.ts); with tracing on,
 * each call is a client span whose context the upstream receives. Each request is dispatched
 * with a handler that streams both ways: the client's body goes to the upstream as it
 * arrives, the upstream's answer is written to the client chunk by chunk with backpressure,
 * and nothing is buffered or parsed on the way.
 *
 * Upstream slow → 504 `gateway_timeout`; refused or broken before it answered → 502
 * `bad_gateway`; broken after it started answering → the client's connection is cut, so a
 * truncated body is never mistaken for a whole one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../contract/errors.ts';
import type { ActiveTracing } from '../telemetry/tracing/active.ts';
import { H1Pool, type H1Handler } from './upstream-h1.ts';

export interface UpstreamOptions {
  /** Time for the upstream's headers, and between two chunks of its body. */
  timeoutMs: number;
  /** With tracing on: every call is a client span, its context sent on. */
  tracing?: ActiveTracing | null;
}

const TIMEOUTS = new Set(['UPSTREAM_HEADERS_TIMEOUT', 'UPSTREAM_BODY_TIMEOUT', 'UPSTREAM_CONNECT_TIMEOUT', 'UPSTREAM_QUEUE_TIMEOUT']);

/** Hop-by-hop response headers (RFC 9110 §7.6.1): never passed back to the client. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authenticate']);

/** How an upstream failure is answered. */
export function upstreamFailure(error: { code?: string; cause?: unknown }): { code: ErrorCode; detail: string } {
  const code = error.code ?? (error.cause as { code?: string } | undefined)?.code;
  if (code !== undefined && TIMEOUTS.has(code)) {
    return { code: 'gateway_timeout', detail: 'the upstream did not answer in time' };
  }
  if (code === 'ECONNREFUSED') return { code: 'bad_gateway', detail: 'the upstream refused the connection' };
  return { code: 'bad_gateway', detail: 'the upstream connection failed' };
}

export interface ForwardRequest {
  req: IncomingMessage;
  res: ServerResponse;
  origin: string;
  method: string;
  /** Path and query as the upstream receives them. */
  target: string;
  /** Names and values, one after the other. */
  headers: string[];
  requestId: string;
}

export interface ForwardOutcome {
  /** The status the client got; 0 when nothing was sent yet (then `failure` says why). */
  status: number;
  /** Set when the upstream failed. */
  failure?: { code: ErrorCode; detail: string };
  /** The client left before its answer was complete (`status` is then CLIENT_CLOSED). */
  clientClosed?: boolean;
}

/** A whole answer up to this size leaves with its head as one latin1 string (byte for byte). */
const SINGLE_WRITE_MAX = 16 * 1024;

/** A HEAD answer's length describes the GET's body, and 204 and 304 carry none: never sized here. */
function mayCarryLength(method: string, status: number): boolean {
  return method !== 'HEAD' && status !== 204 && status !== 304;
}

/** The `status` of a request whose client closed the connection before its answer was complete. */
export const CLIENT_CLOSED = 499;

/** The relays a client connection is waiting on (several only when it pipelines). */
const RELAYS = Symbol('tenantgate.relays');
type WatchedSocket = Socket & { [RELAYS]?: Set<Relay> };

/**
 * Tells `relay` when the client's connection closes. One listener per connection rather than
 * one per response: a keep-alive connection carries many requests.
 */
function watchClient(socket: WatchedSocket, relay: Relay): void {
  let relays = socket[RELAYS];
  if (relays === undefined) {
    const watched = (socket[RELAYS] = new Set());
    relays = watched;
    socket.once('close', () => {
      for (const r of watched) r.clientClosed();
      watched.clear();
    });
  }
  relays.add(relay);
}

function unwatchClient(socket: WatchedSocket, relay: Relay): void {
  socket[RELAYS]?.delete(relay);
}

/** The response side of one forward: writes what the upstream answers, or reports why it could not. */
class Relay implements H1Handler {
  private abort: ((err?: Error) => void) | null = null;
  private resume: (() => void) | null = null;
  private status = 0;
  private finished = false;
  private clientGone = false;
  /** The last chunk, held back so the usual one-chunk answer leaves in one write with its end. */
  private held: Buffer | null = null;
  /** The answer's head, written with its first chunk: until then a failure can still be a 502. */
  private head: string[] | null = null;
  /** The upstream sent a Content-Length (otherwise its body was chunked or ran to the close). */
  private sized = false;

  /** The client's connection, watched for its close. */
  private readonly socket: Socket;

  constructor(
    private readonly f: ForwardRequest,
    private readonly done: (outcome: ForwardOutcome) => void,
  ) {
    this.socket = f.req.socket;
    watchClient(this.socket, this);
  }

  /** The client's connection closed: unless the answer is complete, stop the upstream request. */
  clientClosed(): void {
    if (this.finished) return;
    this.clientGone = true;
    this.abort?.(new Error('the client closed the connection'));
  }

  private settle(outcome: ForwardOutcome): void {
    unwatchClient(this.socket, this);
    this.done(outcome);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.clientGone) abort(new Error('the client closed the connection'));
  }

  onHeaders(statusCode: number, raw: string[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    this.resume = resume;
    const { req } = this.f;
    // Names the upstream's Connection header lists besides `keep-alive` (hop-by-hop anyway):
    // usually none.
    let listed: string[] | null = null;
    const out: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i];
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower)) {
        if (lower === 'connection') {
          for (const token of raw[i + 1].toLowerCase().split(',')) {
            const t = token.trim();
            if (t !== '' && t !== 'keep-alive') (listed ??= []).push(t);
          }
        }
        continue;
      }
      if (lower === 'x-request-id') continue;
      if (lower === 'content-length') this.sized = true;
      out.push(name, raw[i + 1]);
    }
    if (listed !== null) {
      // Headers the upstream named in its Connection header are hop-by-hop too.
      for (let i = out.length - 2; i >= 0; i -= 2) if (listed.includes(out[i].toLowerCase())) out.splice(i, 2);
    }
    out.push('x-request-id', this.f.requestId);
    // An HTTP/1 connection cannot carry another request until this one's body has been read.
    if (!req.complete) out.push('connection', 'close');
    this.head = out;
    return true;
  }

  private writeHead(): void {
    if (this.head === null) return;
    this.f.res.writeHead(this.status, this.head);
    this.head = null;
  }

  /** Returns false to pause the upstream until the client has taken what was written. */
  onData(chunk: Buffer): boolean {
    const previous = this.held;
    this.held = chunk;
    if (previous === null) return true;
    this.writeHead();
    if (this.f.res.write(previous)) return true;
    this.f.res.once('drain', () => this.resume?.());
    return false;
  }

  onComplete(): void {
    this.finished = true;
    const last = this.held;
    this.held = null;
    if (this.head !== null) {
      // The whole answer is here (the usual one-chunk answer): it leaves sized rather than
      // re-chunked, head and body in one string, so in one write.
      if (!this.sized && mayCarryLength(this.f.method, this.status)) this.head.push('content-length', String(last?.length ?? 0));
      this.writeHead();
      if (last !== null && last.length <= SINGLE_WRITE_MAX) return this.endWith(last.toString('latin1'), 'latin1');
    }
    this.writeHead();
    this.endWith(last);
  }

  private endWith(chunk: Buffer | string | null, encoding?: BufferEncoding): void {
    if (chunk === null) this.f.res.end();
    else if (encoding === undefined) this.f.res.end(chunk);
    else this.f.res.end(chunk, encoding);
    this.settle({ status: this.status });
  }

  onError(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    if (this.clientGone) return this.settle({ status: CLIENT_CLOSED, clientClosed: true });
    const failure = upstreamFailure(err as { code?: string; cause?: unknown });
    this.held = null;
    this.head = null;
    // Part of the answer is out: cut the connection rather than end a truncated body cleanly.
    if (this.f.res.headersSent) {
      this.f.res.destroy(err);
      return this.settle({ status: this.status, failure });
    }
    this.settle({ status: 0, failure });
  }
}

const CONNECTIONS = 256;
const KEEP_ALIVE_MS = 30_000;

export class Upstreams {
  private readonly pools = new Map<string, H1Pool>();

  constructor(private readonly options: UpstreamOptions) {}

  private poolFor(origin: string): H1Pool {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      const timeout = this.options.timeoutMs;
      pool = new H1Pool(origin, { connections: CONNECTIONS, timeoutMs: timeout, connectTimeoutMs: Math.min(timeout, 10_000), keepAliveTimeoutMs: KEEP_ALIVE_MS });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Sends the request on; `done` runs once, when the client has its answer or the upstream failed. */
  forward(f: ForwardRequest, done: (outcome: ForwardOutcome) => void): void {
    const hasBody = f.req.headers['transfer-encoding'] !== undefined || (f.req.headers['content-length'] !== undefined && f.req.headers['content-length'] !== '0');
    const body = hasBody ? f.req : null;
    const pool = this.poolFor(f.origin);
    const tracing = this.options.tracing;
    let settle = done;
    if (tracing) {
      const end = tracing.clientCall({ method: f.method, origin: pool.url, target: f.target }, f.headers);
      settle = (outcome) => {
        end(outcome.clientClosed ? 0 : outcome.status, outcome.failure?.code ?? (outcome.clientClosed ? 'client_closed' : undefined));
        done(outcome);
      };
    }
    pool.dispatch({ method: f.method, path: f.target, headers: f.headers, body }, new Relay(f, settle));
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => p.destroy())));
    this.pools.clear();
  }
}
