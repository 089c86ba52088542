import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ContractError } from '../../src/contract/errors.ts';
import { createApp, listen, type RunningComponent } from '../../src/host/app.ts';
import { createComponentContext } from '../../src/host/context.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freePort } from '../support/ports.ts';

describe('component host', () => {
  let t: TestDatabase;
  let running: RunningComponent;
  let base: string;
  let releaseSlow: () => void = () => undefined;

  before(async () => {
    t = await createTestDatabase();
    const ctx = await createComponentContext({ name: 'platform', config: t.config(), runtimeUrl: t.runtimeUrl, keyEncryptionKey: t.keyEncryptionKey });
    const app = createApp(ctx);
    app.get('/boom', async () => {
      throw new Error('secret internals');
    });
    app.get('/contract', async () => {
      throw new ContractError('tenant_conflict', 'two tenants in one request');
    });
    app.post('/validated', { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }, async () => ({ ok: true }));
    app.get('/slow', async () => {
      await new Promise<void>((r) => (releaseSlow = r));
      return { finished: true };
    });
    running = await listen(app, ctx, await freePort());
    base = running.url;
  });
  after(async () => {
    await running.close();
    await t.drop();
  });

  it('serves /healthz, /readyz (checks the database) and /metrics', async () => {
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, 'ok');
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal((await ready.json()).status, 'ready');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /tenantgate_http_requests_total\{[^}]*route="\/healthz"/);
  });

  it('answers errors as problem+json with a stable code and the trace id', async () => {
    const res = await fetch(`${base}/contract`, { headers: { 'x-request-id': 'trace-abc' } });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(res.headers.get('x-request-id'), 'trace-abc');
    const body = await res.json();
    assert.deepEqual({ code: body.code, status: body.status, traceId: body.traceId }, { code: 'tenant_conflict', status: 400, traceId: 'trace-abc' });
    assert.equal(body.type, 'https://tenantgate.dev/problems/tenant_conflict');

    const notFound = await (await fetch(`${base}/nope`)).json();
    assert.equal(notFound.code, 'not_found');

    const invalid = await fetch(`${base}/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(invalid.status, 400);
    assert.equal((await invalid.json()).code, 'validation_failed');

    const boom = await fetch(`${base}/boom`);
    assert.equal(boom.status, 500);
    const boomBody = await boom.json();
    assert.equal(boomBody.code, 'internal_error');
    assert.doesNotMatch(JSON.stringify(boomBody), /secret internals/);
  });

  it('ignores a malformed incoming request id', async () => {
    const res = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('while draining, a further request on a busy connection gets 503 problem+json with Retry-After, and the connection closes', async () => {
    const ctx = await createComponentContext({ name: 'platform', config: t.config(), runtimeUrl: t.runtimeUrl, keyEncryptionKey: t.keyEncryptionKey });
    const app = createApp(ctx);
    let release: () => void = () => undefined;
    app.get('/slow', async () => {
      await new Promise<void>((r) => (release = r));
      return { finished: true };
    });
    const own = await listen(app, ctx, await freePort());
    const socket = connect(own.port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d));
    const ended = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    const closing = own.close();
    await new Promise((r) => setTimeout(r, 100));
    // The connection is busy, so it is still open: a request pipelined behind the slow one.
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    release();
    await ended;
    await closing;
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 2, received);
    assert.match(answers[0], /^HTTP\/1\.1 200 /);
    assert.match(answers[1], /^HTTP\/1\.1 503 /);
    assert.match(answers[1], /content-type: application\/problem\+json/i);
    assert.match(answers[1], /retry-after: \d+/i);
    assert.match(answers[1], /connection: close/i);
    assert.match(answers[1], /"code":"unavailable"/);
  });

  it('drains in-flight requests on shutdown', async () => {
    const inFlight = fetch(`${base}/slow`);
    await new Promise((r) => setTimeout(r, 100));
    const closing = running.close();
    await new Promise((r) => setTimeout(r, 100));
    releaseSlow();
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { finished: true });
    await closing;
    await assert.rejects(fetch(`${base}/healthz`));
  });
});
