/**
 * The gateway's HTTP/1.1 client for its upstreams: a pool of keep-alive connections per
 * origin, each reading its answers with Node's own HTTP parser (llhttp, the native binding
 * `node:http` itself uses, strict mode: a doubled Content-Length or a malformed head is a
 * parse error, never a guess). It does only what forwarding needs, and per request it does
 * little: one write for the head, the parser's callbacks, and the answer handed on as it
 * arrives. A request body is the client's, streamed on as it comes. The only retry: an
 * idempotent request without a body is sent again, once, on a fresh connection when a reused
 * one turns out to have been closed before any answer came.
 *
 * Timeouts: connecting takes at most `connectTimeoutMs`; once sent, a request waits at most
 * `timeoutMs` of silence for its answer's head and between two chunks of its body (not while
 * the client is slow to take the answer). A request waiting for a free connection (all
 * `connections` busy) waits at most `timeoutMs` too, give or take the pool's one-second
 * sweep, so a hung upstream cannot hold a queue of requests unanswered. An idle connection is
 * closed after `keepAliveTimeoutMs`, or a second before the upstream's own `Keep-Alive: timeout=`.
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  finish(): undefined | Error;
  close(): void;
  [key: number]: unknown;
}
interface NativeParserClass {
  new (): NativeParser;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}
const { HTTPParser } = createRequire(import.meta.url)('_http_common') as { HTTPParser: NativeParserClass };

/** What a forward hands the client for the answer (forward.ts's relay). */
export interface H1Handler {
  /** Called at once, with the way to stop the request (the client left). */
  onConnect(abort: (err?: Error) => void): void;
  /** The final answer's status and head (names and values, one after the other). */
  onHeaders(status: number, raw: string[], resume: () => void): boolean;
  /** A chunk of the body; false pauses the upstream until `resume` is called. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

export interface H1Request {
  method: string;
  /** Path and query. */
  path: string;
  /** Names and values, one after the other; `host` is added from the origin when absent. */
  headers: string[];
  /** The client's request, when it has a body to stream on (sized, or chunked here). */
  body: IncomingMessage | null;
}

export interface H1PoolOptions {
  connections: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** A failure of the upstream side, with a stable code (forward.ts maps it to 502 or 504). */
export class UpstreamError extends Error {
  constructor(
    readonly code: 'UPSTREAM_CONNECT_TIMEOUT' | 'UPSTREAM_QUEUE_TIMEOUT' | 'UPSTREAM_HEADERS_TIMEOUT' | 'UPSTREAM_BODY_TIMEOUT' | 'UPSTREAM_PROTOCOL' | 'UPSTREAM_CLOSED' | 'UPSTREAM_UPGRADE' | 'UPSTREAM_ABORTED' | 'UPSTREAM_INVALID_HEADER',
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** A header name must be an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Whether `head` is exactly `lines` lines, each ended by CRLF, with no other CR, LF or NUL:
 * no value (nor the target) can have smuggled in a line of its own. One pass over the whole
 * head rather than one per value.
 */
function wellFormed(head: string, lines: number): boolean {
  if (head.indexOf('\0') !== -1) return false;
  let lf = 0;
  for (let i = head.indexOf('\n'); i !== -1; i = head.indexOf('\n', i + 1)) {
    if (head.charCodeAt(i - 1) !== 13) return false;
    lf++;
  }
  let cr = 0;
  for (let i = head.indexOf('\r'); i !== -1; i = head.indexOf('\r', i + 1)) cr++;
  return lf === lines && cr === lines;
}
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT', 'TRACE']);
const WITH_PAYLOAD = new Set(['POST', 'PUT', 'PATCH']);
const KEEP_ALIVE_HINT = /timeout=(\d+)/i;
/** Never reuse a connection closer than this to the upstream's announced idle limit. */
const HINT_MARGIN_MS = 1000;
const SWEEP_MS = 1000;

/** One request on its way: queued, then on a connection until its answer is complete. */
class Exchange {
  /** The final (not 1xx) answer's head has arrived. */
  final = false;
  completed = false;
  failed = false;
  aborted: Error | null = null;
  /** The request (head and body) is all written. */
  sent = false;
  /** Bytes of an answer have arrived. */
  answered = false;
  retried = false;
  conn: H1Connection | null = null;
  /** When it last joined the pool's queue (ms since the epoch). */
  queuedSince = 0;

  constructor(
    readonly head: string,
    readonly request: H1Request,
    readonly chunked: boolean,
    readonly handler: H1Handler,
  ) {}

  fail(err: Error): void {
    if (this.completed || this.failed) return;
    this.failed = true;
    this.handler.onError(err);
  }
}

class H1Connection {
  private readonly socket: Socket;
  private readonly parser: NativeParser;
  private current: Exchange | null = null;
  private connected = false;
  private paused = false;
  private keepAlive = true;
  private hintMs = Infinity;
  /** Requests this connection has carried: a failure on a reused one may be a stale close. */
  served = 0;
  idleDeadline = 0;
  private closed = false;

  constructor(
    private readonly owner: H1Pool,
    first: Exchange,
  ) {
    const { url, options } = owner;
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.socket =
      url.protocol === 'https:'
        ? connectTls({ host, port, servername: isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1'] })
        : connectTcp({ host, port });
    this.socket.setNoDelay(true);
    this.socket.setTimeout(options.connectTimeoutMs);
    this.current = first;
    first.conn = this;
    const parser = (this.parser = new HTTPParser());
    parser.initialize(HTTPParser.RESPONSE, {}, 0, 0);
    let partial: string[] | null = null;
    parser[HTTPParser.kOnHeaders] = (headers: string[]) => {
      partial = partial === null ? headers : partial.concat(headers);
    };
    parser[HTTPParser.kOnHeadersComplete] = (_maj: number, _min: number, headers: string[] | undefined, _m: unknown, _u: unknown, status: number, _msg: unknown, upgrade: boolean, keepAlive: boolean): number => {
      let raw = headers ?? [];
      if (partial !== null) {
        raw = partial.concat(raw);
        partial = null;
      }
      return this.onHead(status, raw, upgrade, keepAlive);
    };
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => this.onBody(chunk);
    parser[HTTPParser.kOnMessageComplete] = () => this.onMessageComplete();
    this.socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.socket.setTimeout(options.timeoutMs);
      const ex = this.current;
      if (ex !== null) this.send(ex);
    });
    this.socket.on('data', (data: Buffer) => this.onSocketData(data));
    this.socket.on('timeout', () => this.onTimeout());
    this.socket.on('drain', () => this.current?.request.body?.resume());
    this.socket.on('end', () => {
      const err = this.parser.finish();
      if (err instanceof Error) this.broken(new UpstreamError('UPSTREAM_PROTOCOL', 'the upstream closed the connection in the middle of its answer', err));
      this.socket.destroy();
    });
    this.socket.on('error', (err) => this.broken(err));
    this.socket.on('close', () => this.onClose());
  }

  /** Sends `ex` on this (connected, idle) connection. */
  start(ex: Exchange): void {
    this.current = ex;
    ex.conn = this;
    this.send(ex);
  }

  private send(ex: Exchange): void {
    if (ex.aborted !== null) return this.abandon(ex, ex.aborted);
    this.served++;
    const { socket } = this;
    const body = ex.request.body;
    if (body === null) {
      socket.write(ex.head, 'latin1');
      ex.sent = true;
      return;
    }
    socket.write(ex.head, 'latin1');
    body.on('data', (chunk: Buffer) => {
      if (this.current !== ex) return;
      let ok: boolean;
      if (ex.chunked) {
        socket.cork();
        socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
        socket.write(chunk);
        ok = socket.write('\r\n', 'latin1');
        socket.uncork();
      } else ok = socket.write(chunk);
      if (!ok) body.pause();
    });
    body.once('end', () => {
      if (this.current !== ex) return;
      if (ex.chunked) socket.write('0\r\n\r\n', 'latin1');
      ex.sent = true;
    });
    // The client went before its body was all here: the upstream must not take it as whole.
    body.once('close', () => {
      if (!ex.sent && this.current === ex) this.abandon(ex, new UpstreamError('UPSTREAM_ABORTED', 'the client stopped sending its request body'));
    });
  }

  private onSocketData(data: Buffer): void {
    const ex = this.current;
    if (ex === null) {
      // Nothing was asked: an upstream that talks unprompted is not to be trusted with the next request.
      this.socket.destroy();
      return;
    }
    ex.answered = true;
    const result = this.parser.execute(data);
    if (result instanceof Error) this.broken(new UpstreamError('UPSTREAM_PROTOCOL', 'the upstream sent a malformed answer', result));
  }

  private onHead(status: number, raw: string[], upgrade: boolean, keepAlive: boolean): number {
    const ex = this.current;
    if (ex === null) return 0;
    if (upgrade || status === 101) {
      this.broken(new UpstreamError('UPSTREAM_UPGRADE', 'the upstream tried to upgrade the connection'));
      return 2;
    }
    if (status < 200) return 0;
    ex.final = true;
    this.keepAlive = keepAlive;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      if (name.length === 10 && name.toLowerCase() === 'keep-alive') {
        const m = KEEP_ALIVE_HINT.exec(raw[i + 1]);
        if (m !== null) this.hintMs = Number(m[1]) * 1000 - HINT_MARGIN_MS;
      }
    }
    // A late call (the client drained after this answer was complete) must not resume another exchange.
    ex.handler.onHeaders(status, raw, () => {
      if (this.current === ex) this.resume();
    });
    // A HEAD answer's length describes the GET's body: none follows.
    return ex.request.method === 'HEAD' ? 1 : 0;
  }

  private onBody(chunk: Buffer): void {
    const ex = this.current;
    if (ex === null || ex.failed) return;
    if (!ex.handler.onData(chunk) && !this.paused) {
      this.paused = true;
      this.socket.pause();
      // The client is slow, not the upstream: no timeout while its answer waits.
      this.socket.setTimeout(0);
    }
  }

  private resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    this.socket.setTimeout(this.owner.options.timeoutMs);
    this.socket.resume();
  }

  private onMessageComplete(): void {
    const ex = this.current;
    if (ex === null || !ex.final) return; // an interim (1xx) answer
    ex.completed = true;
    if (!ex.failed) ex.handler.onComplete();
    if (!ex.sent) {
      // Answered before the request body was all sent: the rest is not wanted, and this
      // connection cannot carry another request.
      this.keepAlive = false;
    }
    this.afterAnswer(ex);
  }

  /** The exchange is over on both sides: the connection goes back to the pool, or is closed. */
  private afterAnswer(ex: Exchange): void {
    if (this.current !== ex) return;
    this.current = null;
    ex.conn = null;
    if (!this.keepAlive || this.closed) {
      this.socket.destroy();
      return;
    }
    // Paused for the client's sake when the answer's last bytes came: the answer is whole, so
    // the connection can carry the next request while the client takes the rest.
    if (this.paused) {
      this.paused = false;
      this.socket.setTimeout(this.owner.options.timeoutMs);
      this.socket.resume();
    }
    this.idleDeadline = Date.now() + Math.min(this.owner.options.keepAliveTimeoutMs, this.hintMs);
    this.owner.released(this);
  }

  private onTimeout(): void {
    const ex = this.current;
    if (ex === null) return void this.socket.destroy();
    if (!this.connected) this.broken(new UpstreamError('UPSTREAM_CONNECT_TIMEOUT', 'connecting to the upstream timed out'));
    else if (!ex.final) this.broken(new UpstreamError('UPSTREAM_HEADERS_TIMEOUT', 'the upstream did not answer in time'));
    else this.broken(new UpstreamError('UPSTREAM_BODY_TIMEOUT', 'the upstream stopped sending its answer'));
  }

  /** Stops `ex` (the client left, or its body broke off): the connection cannot be reused. */
  abandon(ex: Exchange, err: Error): void {
    if (this.current === ex) {
      this.current = null;
      this.socket.destroy();
    }
    ex.fail(err);
  }

  /** The connection failed: its exchange fails too, unless it may be tried once more. */
  private broken(err: Error): void {
    const ex = this.current;
    this.current = null;
    this.socket.destroy();
    if (ex === null || ex.completed) return;
    ex.conn = null;
    const stale = this.served > 1 && !ex.answered && !ex.retried && ex.request.body === null && IDEMPOTENT.has(ex.request.method) && ex.aborted === null;
    if (stale) {
      ex.retried = true;
      this.owner.fresh(ex);
      return;
    }
    ex.fail(err);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.current !== null && !this.current.completed) this.broken(new UpstreamError('UPSTREAM_CLOSED', 'the upstream closed the connection before it answered'));
    this.owner.gone(this);
    // As node:http does: the parser is released outside its own callbacks.
    setImmediate(() => this.parser.close());
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class H1Pool {
  readonly url: URL;
  private readonly hostHeader: string;
  private readonly idle: H1Connection[] = [];
  private readonly queue: Exchange[] = [];
  private readonly all = new Set<H1Connection>();
  private total = 0;
  private closing: { resolve: () => void; promise: Promise<void> } | null = null;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    origin: string,
    readonly options: H1PoolOptions,
  ) {
    this.url = new URL(origin);
    this.hostHeader = this.url.host;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  /** Sends `request`; the handler hears of its answer or its failure, exactly once. */
  dispatch(request: H1Request, handler: H1Handler): void {
    let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
    let hasHost = false;
    let hasLength = false;
    let valid = true;
    const h = request.headers;
    let lines = 2 + (h.length >> 1);
    for (let i = 0; i + 1 < h.length; i += 2) {
      const name = h[i];
      if (!TOKEN.test(name)) valid = false;
      if (name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
      else if (name.length === 14 && name.toLowerCase() === 'content-length') hasLength = true;
      head += `${name}: ${h[i + 1]}\r\n`;
    }
    if (!hasHost) {
      head += `host: ${this.hostHeader}\r\n`;
      lines++;
    }
    const chunked = request.body !== null && !hasLength;
    if (chunked) {
      head += 'transfer-encoding: chunked\r\n';
      lines++;
    } else if (request.body === null && !hasLength && WITH_PAYLOAD.has(request.method)) {
      head += 'content-length: 0\r\n';
      lines++;
    }
    head += '\r\n';
    if (!valid || !wellFormed(head, lines)) {
      handler.onConnect(() => undefined);
      return handler.onError(new UpstreamError('UPSTREAM_INVALID_HEADER', 'a header could not be sent on'));
    }
    const ex = new Exchange(head, request, chunked, handler);
    handler.onConnect((err) => this.abort(ex, err ?? new UpstreamError('UPSTREAM_ABORTED', 'the request was stopped')));
    if (this.closing !== null) return ex.fail(new UpstreamError('UPSTREAM_CLOSED', 'the gateway is shutting down'));
    this.place(ex);
  }

  private place(ex: Exchange): void {
    for (let conn = this.idle.pop(); conn !== undefined; conn = this.idle.pop()) {
      if (conn.idleDeadline > Date.now()) return conn.start(ex);
      conn.destroy();
    }
    if (this.total < this.options.connections) return this.open(ex);
    ex.queuedSince = Date.now();
    this.queue.push(ex);
  }

  private open(ex: Exchange): void {
    this.total++;
    this.all.add(new H1Connection(this, ex));
  }

  /** Sends `ex` again on a new connection (a reused one had been closed under it). */
  fresh(ex: Exchange): void {
    if (this.total < this.options.connections) return this.open(ex);
    ex.queuedSince = Date.now();
    this.queue.unshift(ex);
  }

  private abort(ex: Exchange, err: Error): void {
    if (ex.completed || ex.failed) return;
    ex.aborted = err;
    if (ex.conn !== null) return ex.conn.abandon(ex, err);
    const i = this.queue.indexOf(ex);
    if (i !== -1) this.queue.splice(i, 1);
    ex.fail(err);
  }

  /** A connection finished an exchange and may carry another. */
  released(conn: H1Connection): void {
    for (;;) {
      const next = this.queue.shift();
      if (next === undefined) break;
      if (next.aborted !== null || next.failed) continue;
      return conn.start(next);
    }
    if (this.closing !== null) return conn.destroy();
    this.idle.push(conn);
  }

  /** A connection closed. */
  gone(conn: H1Connection): void {
    this.total--;
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    const next = this.queue.shift();
    if (next !== undefined) this.open(next);
    else if (this.closing !== null && this.total === 0) this.closing.resolve();
  }

  private sweep(): void {
    const now = Date.now();
    for (let i = this.idle.length - 1; i >= 0; i--) if (this.idle[i].idleDeadline <= now) this.idle[i].destroy();
    // No connection came free in time for these: the upstream is too slow for its load. One
    // pass keeps the rest in order; the expired fail once the queue is settled.
    const since = now - this.options.timeoutMs;
    const expired: Exchange[] = [];
    let kept = 0;
    for (const ex of this.queue) {
      if (ex.queuedSince > since) this.queue[kept++] = ex;
      else expired.push(ex);
    }
    this.queue.length = kept;
    for (const ex of expired) ex.fail(new UpstreamError('UPSTREAM_QUEUE_TIMEOUT', 'no connection to the upstream came free in time'));
  }

  /** Lets the requests under way finish, then closes every connection. */
  close(): Promise<void> {
    if (this.closing === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.closing = { resolve, promise };
      clearInterval(this.sweeper);
      for (const conn of [...this.idle]) conn.destroy();
      if (this.total === 0) resolve();
    }
    return this.closing.promise;
  }

  /** Closes every connection now, answered or not. */
  async destroy(): Promise<void> {
    void this.close();
    for (const ex of this.queue.splice(0)) ex.fail(new UpstreamError('UPSTREAM_CLOSED', 'the gateway is shutting down'));
    for (const conn of [...this.all]) conn.destroy();
    await this.closing!.promise;
  }
}
