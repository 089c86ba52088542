/**
 * `/readyz` has its own bound, `server.readinessTimeoutMs`: a check that never answers (a hung
 * dependency) is not ready within it, whatever the database timeouts are.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../src/host/app.ts';
import { closeComponentContext, createComponentContext, type ComponentContext } from '../../src/host/context.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('the readiness timeout', () => {
  let t: TestDatabase;
  let ctx: ComponentContext;
  before(async () => {
    t = await createTestDatabase();
    const config = t.config({ 'server.readinessTimeoutMs': 300, 'database.connectTimeoutMs': 10_000, 'database.statementTimeoutMs': 20_000 });
    ctx = await createComponentContext({ name: 'platform', config, runtimeUrl: t.runtimeUrl, keyEncryptionKey: t.keyEncryptionKey });
  });
  after(async () => {
    await closeComponentContext(ctx);
    await t.drop();
  });

  it('defaults to 2 s', () => {
    assert.equal(t.config().server.readinessTimeoutMs, 2_000);
  });

  it('a check that never answers is 503 problem+json within server.readinessTimeoutMs, not the database timeouts', async () => {
    let given = 0;
    const app = createApp(ctx, {
      readiness: (timeoutMs) => {
        given = timeoutMs;
        return new Promise(() => undefined);
      },
    });
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    const ms = Date.now() - started;
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(res.json().code, 'unavailable');
    assert.match(res.json().detail, /did not answer within 300 ms/);
    assert.equal(given, 300, 'the check is told its bound');
    assert.ok(ms < 1_500, `answered in ${ms} ms`);
    await app.close();
  });

  it('the default check, the database, answers ready within it when the database does', async () => {
    const app = createApp(ctx);
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().checks, { database: 'ok' });
    await app.close();
  });
});
