/**
 * What a database outage writes to the log: one line per cause per interval with the count of
 * requests it stands for, at warn, without a stack trace — not a line per failed request.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../src/host/app.ts';
import { closeComponentContext, createComponentContext, type ComponentContext } from '../../src/host/context.ts';
import { createLogger } from '../../src/host/logger.ts';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('the log of a database outage', () => {
  let t: TestDatabase;
  let proxy: CuttableProxy;
  let ctx: ComponentContext;
  const lines: Record<string, unknown>[] = [];
  before(async () => {
    t = await createTestDatabase();
    proxy = await startCuttableProxy();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const config = t.config({ 'server.logLevel': 'info', 'database.connectTimeoutMs': 500 });
    ctx = await createComponentContext({ name: 'platform', config, runtimeUrl: proxy.via(t.runtimeUrl), keyEncryptionKey: t.keyEncryptionKey, logger: createLogger('platform', 'info', sink) });
  });
  after(async () => {
    await proxy.set('pass');
    await closeComponentContext(ctx);
    await proxy.close();
    await t.drop();
  });

  it('200 refused requests: every one 503, one warn line per cause, no stack, no "unhandled error"', async () => {
    const app = createApp(ctx);
    app.get('/rows', async () => (await ctx.db.query('select 1 as one')).rows);
    assert.equal((await app.inject({ method: 'GET', url: '/rows' })).statusCode, 200);
    await proxy.set('refuse');
    const seen = lines.length;
    for (let i = 0; i < 200; i++) assert.equal((await app.inject({ method: 'GET', url: '/rows' })).statusCode, 503);
    const written = lines.slice(seen).filter((l) => l.msg === 'database unavailable: answering 503');
    // The pooled connection reset, then every new one refused: one line for each cause.
    const causes = written.map((l) => l.cause);
    assert.deepEqual([...new Set(causes)], causes, `each cause once: ${JSON.stringify(written)}`);
    assert.ok(causes.includes('ECONNREFUSED'), JSON.stringify(written));
    assert.ok(written.length <= 2, JSON.stringify(written));
    for (const line of written) {
      assert.equal(line.level, 40);
      assert.equal(line.count, 1, 'the first occurrence is written at once');
    }
    assert.doesNotMatch(JSON.stringify(lines.slice(seen)), /"stack"|unhandled error/);
    await app.close();
  });
});
