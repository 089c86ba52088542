/**
 * The gateway's HTTP/1.1 upstream client (src/gateway/upstream-h1.ts) against raw TCP
 * upstreams that speak exactly the bytes each case needs: keep-alive reuse (also after an
 * answer that completed while paused for the client) and the upstream's own idle limit, the
 * one retry of an idempotent request on a connection closed under it, interim answers,
 * close-delimited and malformed answers, timeouts, the connection limit and its queue (and how
 * long a request may wait in it), an aborted request, a header that cannot be sent, a chunked
 * request body, and shutdown.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { H1Pool, type H1Handler, type H1PoolOptions, type H1Request } from '../../src/gateway/upstream-h1.ts';

interface Answer {
  status: number;
  headers: string[];
  body: string;
  error: (Error & { code?: string }) | null;
}

/** A handler that gathers the answer; `abort` stops the request. */
function collect(): { handler: H1Handler; done: Promise<Answer>; abort(): void; errors: number } {
  let stop: ((err?: Error) => void) | null = null;
  const answer: Answer = { status: 0, headers: [], body: '', error: null };
  const chunks: Buffer[] = [];
  let settle!: (a: Answer) => void;
  const done = new Promise<Answer>((r) => (settle = r));
  const c = {
    errors: 0,
    done,
    abort: () => stop?.(new Error('the client closed the connection')),
    handler: {
      onConnect: (abort: (err?: Error) => void) => void (stop = abort),
      onHeaders: (status: number, raw: string[]) => {
        answer.status = status;
        answer.headers = raw;
        return true;
      },
      onData: (chunk: Buffer) => {
        chunks.push(chunk);
        return true;
      },
      onComplete: () => {
        answer.body = Buffer.concat(chunks).toString('latin1');
        settle(answer);
      },
      onError: (err: Error) => {
        c.errors++;
        answer.error = err;
        settle(answer);
      },
    } satisfies H1Handler,
  };
  return c;
}

/** A raw upstream: `onRequest` gets each request head (and what followed it) with its socket. */
interface RawUpstream {
  origin: string;
  connections: number;
  open: Set<Socket>;
  maxOpen: number;
  requests: string[];
  close(): Promise<void>;
}

async function rawUpstream(onRequest: (head: string, socket: Socket, n: number) => void): Promise<RawUpstream> {
  const up: RawUpstream = { origin: '', connections: 0, open: new Set(), maxOpen: 0, requests: [], close: async () => undefined };
  const server: Server = createServer((socket) => {
    up.connections++;
    up.open.add(socket);
    up.maxOpen = Math.max(up.maxOpen, up.open.size);
    socket.on('close', () => up.open.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end + 4);
        buffered = buffered.slice(end + 4);
        up.requests.push(head);
        onRequest(head, socket, up.requests.length);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  up.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  up.close = () =>
    new Promise<void>((r) => {
      for (const s of up.open) s.destroy();
      server.close(() => r());
    });
  return up;
}

const ok = (body = 'ok', extra = '') => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;
const options = (o: Partial<H1PoolOptions> = {}): H1PoolOptions => ({ connections: 16, timeoutMs: 2000, connectTimeoutMs: 1000, keepAliveTimeoutMs: 30_000, ...o });
const get = (path = '/x', headers: string[] = []): H1Request => ({ method: 'GET', path, headers, body: null });

describe('the gateway HTTP/1.1 upstream client', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup) await c();
  });
  async function setup(onRequest: (head: string, socket: Socket, n: number) => void, o?: Partial<H1PoolOptions>) {
    const up = await rawUpstream(onRequest);
    const pool = new H1Pool(up.origin, options(o));
    cleanup.push(() => pool.destroy(), () => up.close());
    return { up, pool };
  }
  async function send(pool: H1Pool, request = get()) {
    const c = collect();
    pool.dispatch(request, c.handler);
    return c.done;
  }

  it('reuses one keep-alive connection, sends host and the headers as given', async () => {
    const { up, pool } = await setup((_h, s) => s.write(ok()));
    for (let i = 0; i < 3; i++) assert.equal((await send(pool, get(`/a?i=${i}`, ['x-one', '1', 'X-Two', 'two']))).status, 200);
    assert.equal(up.connections, 1);
    assert.match(up.requests[2], /^GET \/a\?i=2 HTTP\/1\.1\r\n/);
    assert.match(up.requests[2], /\r\nx-one: 1\r\nX-Two: two\r\nhost: 127\.0\.0\.1:\d+\r\n\r\n$/);
  });

  it('an answer that completes while paused for the client still frees its connection; a late resume touches nothing', async () => {
    const { up, pool } = await setup((_h, s) => {
      s.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nab');
      setTimeout(() => s.write('cd'), 30);
    });
    // The client is slow when the last chunk comes: the handler asks for a pause then.
    let late: (() => void) | null = null;
    const slow = collect();
    let received = 0;
    const handler: H1Handler = {
      ...slow.handler,
      onHeaders: (status, raw, resume) => {
        late = resume;
        return slow.handler.onHeaders(status, raw, resume);
      },
      onData: (chunk) => {
        slow.handler.onData(chunk);
        received += chunk.length;
        return received < 4;
      },
    };
    pool.dispatch(get('/slow'), handler);
    assert.equal((await slow.done).body, 'abcd');
    const next = collect();
    pool.dispatch(get('/next'), next.handler);
    late!();
    const answer = await next.done;
    assert.equal(answer.error, null);
    assert.equal(answer.body, 'abcd');
    assert.equal(up.connections, 1, 'the second request went on the same connection');
  });

  it("does not reuse a connection past the upstream's own Keep-Alive timeout (less a second)", async () => {
    const { up, pool } = await setup((_h, s) => s.write(ok('ok', 'keep-alive: timeout=2\r\n')));
    await send(pool);
    await send(pool);
    assert.equal(up.connections, 1, 'reused within the limit');
    await new Promise((r) => setTimeout(r, 1100));
    await send(pool);
    assert.equal(up.connections, 2, 'a new connection once the announced limit is a second away');
  });

  it('sends an idempotent request once more, on a fresh connection, when a reused one was closed under it; not a POST', async () => {
    // The second request on each connection is met with a close: the stale keep-alive race.
    const perSocket = new WeakMap<Socket, number>();
    const { up, pool } = await setup((_h, s) => {
      const n = (perSocket.get(s) ?? 0) + 1;
      perSocket.set(s, n);
      if (n === 1) s.write(ok());
      else s.destroy();
    });
    assert.equal((await send(pool)).status, 200);
    const retried = await send(pool);
    assert.equal(retried.error, null);
    assert.equal(retried.status, 200);
    assert.equal(up.connections, 2);
    const post = await send(pool, { method: 'POST', path: '/p', headers: [], body: null });
    assert.equal(post.status, 0);
    assert.equal(post.error?.code, 'UPSTREAM_CLOSED');
    assert.equal(up.connections, 2, 'the POST was not sent again');
    assert.match(up.requests.at(-1)!, /^POST \/p HTTP\/1\.1\r\n[^]*content-length: 0\r\n/);
  });

  it('skips interim 1xx answers; reads a body that runs to the close; a HEAD answer has no body', async () => {
    const { pool } = await setup((head, s) => {
      if (head.startsWith('GET /early')) s.write(`HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n${ok('final')}`);
      else if (head.startsWith('GET /close')) s.end('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nto the end');
      else if (head.startsWith('HEAD')) s.write('HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n');
    });
    const early = await send(pool, get('/early'));
    assert.equal(early.error, null);
    assert.equal(early.status, 200);
    assert.equal(early.body, 'final');
    assert.ok(!early.headers.includes('link'));
    const closing = await send(pool, get('/close'));
    assert.equal(closing.error, null);
    assert.equal(closing.body, 'to the end');
    const head = await send(pool, { method: 'HEAD', path: '/h', headers: [], body: null });
    assert.equal(head.error, null);
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.deepEqual(head.headers, ['content-length', '99']);
  });

  it('a malformed answer, a doubled Content-Length and a truncated body fail; unprompted bytes close the connection', async () => {
    const { up, pool } = await setup((head, s) => {
      if (head.startsWith('GET /garbage')) s.write('HTTP/1.1 abc\r\n\r\n');
      else if (head.startsWith('GET /twice')) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok');
      else if (head.startsWith('GET /short')) s.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
      else if (head.startsWith('GET /chatty')) {
        s.write(ok());
        setTimeout(() => s.write('HTTP/1.1 200 OK\r\n\r\n'), 50);
      } else s.write(ok());
    });
    for (const path of ['/garbage', '/twice', '/short']) {
      const a = await send(pool, get(path));
      assert.equal(a.error?.code, 'UPSTREAM_PROTOCOL', path);
    }
    const before = up.connections;
    assert.equal((await send(pool, get('/chatty'))).status, 200);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await send(pool)).status, 200);
    assert.equal(up.connections, before + 2, 'the connection that spoke unprompted was not used again');
  });

  it('times out waiting for the head, and between chunks of the body', async () => {
    const { pool } = await setup(
      (head, s) => {
        if (head.startsWith('GET /stall-body')) s.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
      },
      { timeoutMs: 300 },
    );
    const head = await send(pool, get('/silent'));
    assert.equal(head.error?.code, 'UPSTREAM_HEADERS_TIMEOUT');
    const body = await send(pool, get('/stall-body'));
    assert.equal(body.status, 200);
    assert.equal(body.error?.code, 'UPSTREAM_BODY_TIMEOUT');
  });

  it('refused: the system error reaches the handler', async () => {
    const up = await rawUpstream(() => undefined);
    const origin = up.origin;
    await up.close();
    const pool = new H1Pool(origin, options());
    cleanup.push(() => pool.destroy());
    assert.equal((await send(pool)).error?.code, 'ECONNREFUSED');
  });

  it('opens at most `connections`, queues the rest, and drops a queued request that was aborted, exactly once', async () => {
    const held: Socket[] = [];
    const { up, pool } = await setup((_h, s) => held.push(s), { connections: 2 });
    const calls = Array.from({ length: 5 }, () => collect());
    for (const c of calls) pool.dispatch(get(), c.handler);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(up.requests.length, 2, 'two sent, three waiting');
    calls[4].abort();
    assert.equal((await calls[4].done).error?.message, 'the client closed the connection');
    // Answer one at a time: each answered connection takes the next request in the queue.
    for (let answered = 0; answered < 4; answered++) {
      while (held.length === 0) await new Promise((r) => setTimeout(r, 10));
      held.shift()!.write(ok());
      assert.equal((await calls[answered].done).status, 200);
    }
    assert.equal(up.maxOpen, 2);
    assert.equal(up.requests.length, 4, 'the aborted request was never sent');
    assert.deepEqual(calls.map((c) => c.errors), [0, 0, 0, 0, 1]);
  });

  it('a queued request waits at most timeoutMs for a connection, while the busy one keeps its answer coming', async () => {
    // The one connection is busy with an answer that trickles in faster than the timeout, for
    // longer than the timeout plus the pool's one-second sweep.
    const { up, pool } = await setup(
      (_h, s) => {
        s.write('HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n');
        let sent = 0;
        const drip = setInterval(() => {
          s.write('ab');
          if (++sent === 6) clearInterval(drip);
        }, 350);
      },
      { connections: 1, timeoutMs: 500 },
    );
    const busy = collect();
    pool.dispatch(get('/busy'), busy.handler);
    const queued = collect();
    const started = Date.now();
    pool.dispatch(get('/queued'), queued.handler);
    const waited = await queued.done;
    assert.equal(waited.error?.code, 'UPSTREAM_QUEUE_TIMEOUT');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 500, `failed after ${elapsed} ms, before its time`);
    const answer = await busy.done;
    assert.equal(answer.error, null);
    assert.equal(answer.body, 'abababababab');
    assert.equal(up.requests.length, 1, 'the queued request was never sent');
    assert.equal(queued.errors, 1);
  });

  it('an in-flight request aborted by its client closes its connection and errs once', async () => {
    const { up, pool } = await setup(() => undefined);
    const c = collect();
    pool.dispatch(get(), c.handler);
    while (up.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    c.abort();
    await c.done;
    while (up.open.size > 0) await new Promise((r) => setTimeout(r, 10));
    assert.equal(c.errors, 1);
  });

  it('refuses a header it cannot send, sending nothing', async () => {
    const { up, pool } = await setup((_h, s) => s.write(ok()));
    for (const headers of [['x-bad', 'a\r\nx-injected: 1'], ['x-bad', 'lone\rcr'], ['x-bad', 'lone\nlf'], ['x-bad', 'nul\0'], ['x bad', 'v'], ['', 'v']]) {
      assert.equal((await send(pool, get('/x', headers))).error?.code, 'UPSTREAM_INVALID_HEADER', JSON.stringify(headers));
    }
    assert.equal((await send(pool, get('/x HTTP/1.1\r\nx-injected: 1\r\n\r\nGET /y'))).error?.code, 'UPSTREAM_INVALID_HEADER');
    assert.equal(up.connections, 0);
  });

  it('a body without a length goes chunked, byte for byte; a sized one as it is', async () => {
    // Its own upstream: the body may come in the same packet as the head.
    const bodies: string[] = [];
    const server = createServer((socket) => {
      let bytes = '';
      socket.on('data', (d) => {
        bytes += d.toString('latin1');
        const end = bytes.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = bytes.slice(0, end);
        const rest = bytes.slice(end + 4);
        const sized = /content-length: (\d+)/.exec(head);
        if (sized ? rest.length < Number(sized[1]) : !rest.endsWith('0\r\n\r\n')) return;
        bodies.push(`${/transfer-encoding: chunked/.test(head) ? 'chunked' : 'sized'} ${rest}`);
        bytes = '';
        socket.write(ok());
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const pool = new H1Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, options());
    cleanup.push(() => pool.destroy(), () => new Promise<void>((r) => server.close(() => r())));
    const stream = () => Readable.from([Buffer.from('hello '), Buffer.from('wörld')]) as unknown as IncomingMessage;
    assert.equal((await send(pool, { method: 'POST', path: '/c', headers: [], body: stream() })).status, 200);
    assert.equal(bodies[0], 'chunked 6\r\nhello \r\n6\r\nw\xc3\xb6rld\r\n0\r\n\r\n');
    assert.equal((await send(pool, { method: 'PUT', path: '/s', headers: ['content-length', '12'], body: stream() })).status, 200);
    assert.equal(bodies[1], 'sized hello w\xc3\xb6rld');
  });

  it('close() lets a request under way finish, then closes every connection; later requests are refused', async () => {
    const held: Socket[] = [];
    const { up, pool } = await setup((_h, s) => held.push(s));
    const c = collect();
    pool.dispatch(get(), c.handler);
    while (held.length === 0) await new Promise((r) => setTimeout(r, 10));
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, false, 'waits for the request under way');
    held[0].write(ok());
    assert.equal((await c.done).status, 200);
    await closing;
    while (up.open.size > 0) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await send(pool)).error?.code, 'UPSTREAM_CLOSED');
  });
});
