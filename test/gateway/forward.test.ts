/**
 * Forwarding (src/gateway/forward.ts) against an upstream that misbehaves on purpose: bodies
 * stream both ways intact (sized and chunked, large, slow), hop-by-hop response headers and
 * the ones the upstream's Connection names never reach the client, the request id is the
 * gateway's, an upstream that breaks mid-body cuts the client's connection instead of ending
 * a truncated body cleanly, and a client that leaves stops the upstream request.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startGatewayHarness, type GatewayHarness } from './support/harness.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('gateway forwarding', () => {
  let upstream: Server;
  const handlers = new Map<string, Handler>();
  const closed: string[] = [];
  let h: GatewayHarness;
  let token: string;

  before(async () => {
    upstream = createServer((req, res) => {
      const name = (req.url ?? '').split('?')[0].split('/').pop() ?? '';
      res.on('close', () => {
        if (!res.writableFinished) closed.push(name);
      });
      const handler = handlers.get(name);
      if (handler) return handler(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    h = await startGatewayHarness({ platformUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
    token = await h.minter.mint();
  });
  after(async () => {
    await h?.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  const url = (name: string) => `${h.url}/api/v1/platform/${name}`;
  const auth = () => ({ authorization: `Bearer ${token}` });

  it('streams a large request body up and a large, chunked answer down, byte for byte', async () => {
    handlers.set('upload', (req, res) => {
      void readAll(req).then((body) => {
        const reply = Buffer.concat([body, body]);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-body-sha': sha(body), 'x-framing': req.headers['transfer-encoding'] ?? `length ${req.headers['content-length']}` });
        // In pieces, with pauses: the gateway must pass each one on, not wait for the whole.
        let offset = 0;
        const next = () => {
          if (offset >= reply.length) return res.end();
          const piece = reply.subarray(offset, (offset += 256 * 1024));
          if (res.write(piece)) setImmediate(next);
          else res.once('drain', next);
        };
        next();
      });
    });
    const body = randomBytes(3 * 1024 * 1024);
    const sized = await fetch(url('upload'), { method: 'POST', headers: { ...auth(), 'content-type': 'application/octet-stream' }, body });
    assert.equal(sized.status, 200);
    assert.equal(sized.headers.get('x-framing'), `length ${body.length}`);
    assert.equal(sized.headers.get('x-body-sha'), sha(body));
    assert.equal(sha(Buffer.from(await sized.arrayBuffer())), sha(Buffer.concat([body, body])));

    // A chunked request body (no length known in advance) arrives whole.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(body.subarray(i * 1024, (i + 1) * 1024));
        controller.close();
      },
    });
    const chunked = await fetch(url('upload'), { method: 'POST', headers: auth(), body: stream, duplex: 'half' } as RequestInit);
    assert.equal(chunked.status, 200);
    assert.equal(chunked.headers.get('x-body-sha'), sha(body.subarray(0, 8 * 1024)));
    await chunked.arrayBuffer();
  });

  it('drops hop-by-hop answer headers and the ones Connection names; the request id is the gateway\'s', async () => {
    handlers.set('headers', (_req, res) => {
      res.writeHead(201, [
        ['connection', 'keep-alive, x-upstream-secret'],
        ['keep-alive', 'timeout=5'],
        ['x-upstream-secret', 'hop'],
        ['x-request-id', 'upstream-made-this-up'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['x-kept', 'yes'],
      ].flat());
      res.end('created');
    });
    const res = await fetch(url('headers'), { headers: { ...auth(), 'x-request-id': 'client-req-7' } });
    assert.equal(res.status, 201);
    assert.equal(await res.text(), 'created');
    assert.equal(res.headers.get('x-upstream-secret'), null);
    assert.equal(res.headers.get('x-request-id'), 'client-req-7');
    assert.equal(res.headers.get('x-kept'), 'yes');
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
    // keep-alive here is the gateway's own connection handling, not the upstream's value.
    assert.notEqual(res.headers.get('keep-alive'), 'timeout=5');
  });

  it('answers HEAD with the upstream\'s headers and no body', async () => {
    handlers.set('head', (req, res) => {
      res.writeHead(200, { 'content-length': '1234', 'x-method': req.method! });
      res.end();
    });
    const res = await fetch(url('head'), { method: 'HEAD', headers: auth() });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-method'), 'HEAD');
    assert.equal(res.headers.get('content-length'), '1234');
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  it('a whole answer in one chunk leaves sized and byte for byte; HEAD, 204 and multi-chunk answers get no invented length', async () => {
    // Every byte value, so a text conversion on the way would show.
    const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    handlers.set('one-chunk', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(binary); // chunked: the upstream names no length
    });
    handlers.set('two-chunks', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(binary.subarray(0, 100));
      setTimeout(() => res.end(binary.subarray(100)), 20);
    });
    handlers.set('no-content', (_req, res) => res.writeHead(204).end());
    handlers.set('head-chunked', (_req, res) => res.writeHead(200, { 'x-method': _req.method! }).end());
    const raw = (name: string, method = 'GET') =>
      new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(url(name), { method, headers: auth() }, (res) => {
          readAll(res).then((body) => resolve({ status: res.statusCode!, headers: res.headers, body }), reject);
        });
        req.on('error', reject).end();
      });
    const one = await raw('one-chunk');
    assert.equal(one.status, 200);
    assert.equal(one.headers['content-length'], String(binary.length));
    assert.equal(one.headers['transfer-encoding'], undefined);
    assert.equal(sha(one.body), sha(binary));
    const two = await raw('two-chunks');
    assert.equal(two.headers['transfer-encoding'], 'chunked');
    assert.equal(two.headers['content-length'], undefined);
    assert.equal(sha(two.body), sha(binary));
    const none = await raw('no-content');
    assert.equal(none.status, 204);
    assert.equal(none.headers['content-length'], undefined);
    const head = await raw('head-chunked', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['x-method'], 'HEAD');
    assert.equal(head.headers['content-length'], undefined);
  });

  it('an upstream that breaks mid-body: 502 while nothing was sent, else the client\'s connection is cut; counted', async () => {
    // One chunk, then the break: nothing has left the gateway yet, so the client gets a 502.
    handlers.set('broken-early', (_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000, 97));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const early = await fetch(url('broken-early'), { headers: auth() });
    assert.equal(early.status, 502);
    assert.equal((await early.json()).code, 'bad_gateway');
    // Several chunks, then the break: the head and the first chunks are out; the body must fail.
    handlers.set('broken', (_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      let sent = 0;
      const tick = setInterval(() => {
        res.write(Buffer.alloc(1000, 97));
        if (++sent === 5) {
          clearInterval(tick);
          setTimeout(() => res.socket?.destroy(), 30);
        }
      }, 10);
    });
    const res = await fetch(url('broken'), { headers: auth() });
    assert.equal(res.status, 200);
    await assert.rejects(res.arrayBuffer(), 'a truncated body is an error, never a clean end');
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    assert.match(metrics, /tenantgate_gateway_upstream_errors_total\{upstream="platform",code="bad_gateway"[^}]*\} [2-9]/);
  });

  it('a client that leaves mid-answer stops the upstream request', async () => {
    let answering: ServerResponse | null = null;
    handlers.set('endless', (_req, res) => {
      answering = res;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const tick = setInterval(() => res.write('data: tick\n\n'), 20);
      res.on('close', () => clearInterval(tick));
    });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(url('endless'), { headers: auth() }, (res) => {
        assert.equal(res.statusCode, 200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
      req.end();
    });
    const deadline = Date.now() + 5_000;
    while (!closed.includes('endless') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(closed.includes('endless'), 'the upstream saw its request end when the client left');
    assert.equal(answering !== null && (answering as ServerResponse).writableFinished, false);
  });

  it('counts routed requests in the request metrics under the route prefix', async () => {
    handlers.set('counted', (_req, res) => res.writeHead(202).end());
    const before = await (await fetch(`${h.url}/metrics`)).text();
    const count = (text: string) => Number(/tenantgate_http_requests_total\{route="\/api\/v1\/platform\/",method="GET",status="202"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    for (let i = 0; i < 3; i++) assert.equal((await fetch(url('counted'), { headers: auth() })).status, 202);
    const refused = await fetch(url('counted'));
    assert.equal(refused.status, 401);
    await refused.arrayBuffer();
    const afterwards = await (await fetch(`${h.url}/metrics`)).text();
    assert.equal(count(afterwards) - count(before), 3);
    assert.match(afterwards, /tenantgate_http_requests_total\{route="\/api\/v1\/platform\/",method="GET",status="401"[^}]*\} [1-9]/);
  });
});
