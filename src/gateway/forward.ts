/**
 * Stage 5 of the pipeline: forwarding. One undici `Pool` per upstream origin (keep-alive,
 * no pipelining), each request dispatched with a handler that streams both ways: the
 * client's body goes to the upstream as it arrives, the upstream's answer is written to the
 * client chunk by chunk with backpressure, and nothing is buffered or parsed on the way.
 *
 * Upstream slow → 504 `gateway_timeout`; refused or broken before it answered → 502
 * `bad_gateway`; broken after it started answering → the client's connection is cut, so a
 * truncated body is never mistaken for a whole one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import type { ErrorCode } from '../contract/errors.ts';

export interface UpstreamOptions {
  /** Time for the upstream's headers, and between two chunks of its body. */
  timeoutMs: number;
}

/** Hop-by-hop response headers (RFC 9110 §7.6.1): never passed back to the client. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authenticate']);

/** How an upstream failure is answered. */
export function upstreamFailure(error: { code?: string; cause?: unknown }): { code: ErrorCode; detail: string } {
  const code = error.code ?? (error.cause as { code?: string } | undefined)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
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
  headers: Record<string, string | string[]>;
  requestId: string;
}

export interface ForwardOutcome {
  /** The status the client got; 0 when nothing was sent yet (then `failure` says why). */
  status: number;
  /** Set when the upstream failed. */
  failure?: { code: ErrorCode; detail: string };
}

/** A whole answer up to this size leaves with its head as one latin1 string (byte for byte). */
const SINGLE_WRITE_MAX = 16 * 1024;

/** A HEAD answer's length describes the GET's body, and 204 and 304 carry none: never sized here. */
function mayCarryLength(method: string, status: number): boolean {
  return method !== 'HEAD' && status !== 204 && status !== 304;
}

/** The `status` of a request whose client closed the connection before its answer was complete. */
export const CLIENT_CLOSED = 499;

/** The response side of one forward: writes what the upstream answers, or reports why it could not. */
class Relay implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  private finished = false;
  private clientGone = false;
  /** The last chunk, held back so the usual one-chunk answer leaves in one write with its end. */
  private held: Buffer | null = null;
  /** The answer's head, written with its first chunk: until then a failure can still be a 502. */
  private head: string[] | null = null;
  /** The upstream sent a Content-Length (otherwise its body was chunked or ran to the close). */
  private sized = false;

  constructor(
    private readonly f: ForwardRequest,
    private readonly done: (outcome: ForwardOutcome) => void,
  ) {
    f.res.once('close', () => {
      // The client went away before the answer was complete: stop the upstream request.
      if (this.finished) return;
      this.clientGone = true;
      this.controller?.abort(new Error('the client closed the connection'));
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error('the client closed the connection'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number): void {
    if (statusCode < 200) return;
    this.status = statusCode;
    const { req } = this.f;
    const raw = controller.rawHeaders as Buffer[];
    let listed: string[] | null = null;
    const out: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i].toString('latin1');
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower)) {
        if (lower === 'connection') listed = raw[i + 1].toString('latin1').toLowerCase().split(',').map((s) => s.trim());
        continue;
      }
      if (lower === 'x-request-id') continue;
      if (lower === 'content-length') this.sized = true;
      out.push(name, raw[i + 1].toString('latin1'));
    }
    if (listed !== null) {
      // Headers the upstream named in its Connection header are hop-by-hop too.
      for (let i = out.length - 2; i >= 0; i -= 2) if (listed.includes(out[i].toLowerCase())) out.splice(i, 2);
    }
    out.push('x-request-id', this.f.requestId);
    // An HTTP/1 connection cannot carry another request until this one's body has been read.
    if (!req.complete) out.push('connection', 'close');
    this.head = out;
  }

  private writeHead(): void {
    if (this.head === null) return;
    this.f.res.writeHead(this.status, this.head);
    this.head = null;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const previous = this.held;
    this.held = chunk;
    if (previous === null) return;
    this.writeHead();
    if (this.f.res.write(previous)) return;
    controller.pause();
    this.f.res.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
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
    this.done({ status: this.status });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.finished) return;
    this.finished = true;
    if (this.clientGone) return this.done({ status: CLIENT_CLOSED });
    const failure = upstreamFailure(err as { code?: string; cause?: unknown });
    this.held = null;
    this.head = null;
    // Part of the answer is out: cut the connection rather than end a truncated body cleanly.
    if (this.f.res.headersSent) {
      this.f.res.destroy(err);
      return this.done({ status: this.status, failure });
    }
    this.done({ status: 0, failure });
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController): void {
    // Upgrades are not forwarded: the upstream cannot switch protocols through the gateway.
    controller.abort(Object.assign(new Error('the upstream tried to upgrade the connection'), { code: 'UND_ERR_SOCKET' }));
  }
}

export class Upstreams {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: UpstreamOptions) {}

  private poolFor(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      const timeout = this.options.timeoutMs;
      pool = new Pool(origin, {
        connections: 256,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        connect: { timeout: Math.min(timeout, 10_000) },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Sends the request on; `done` runs once, when the client has its answer or the upstream failed. */
  forward(f: ForwardRequest, done: (outcome: ForwardOutcome) => void): void {
    const hasBody = f.req.headers['transfer-encoding'] !== undefined || (f.req.headers['content-length'] !== undefined && f.req.headers['content-length'] !== '0');
    this.poolFor(f.origin).dispatch(
      {
        origin: f.origin,
        path: f.target,
        method: f.method as Dispatcher.HttpMethod,
        headers: f.headers,
        body: hasBody ? f.req : null,
      },
      new Relay(f, done),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => p.destroy())));
    this.pools.clear();
  }
}
