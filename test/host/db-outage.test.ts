import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { platformRoutes } from '../../src/modules/platform/routes.ts';
import pg from 'pg';
import { Database } from '../../src/db/database.ts';
import { DatabaseUnavailableError, outageCause } from '../../src/db/unavailable.ts';
import { RateLimitedLog } from '../../src/host/rate-limited-log.ts';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy.ts';
import { createModuleHarness, type ModuleHarness } from '../modules/tenant-context/harness.ts';

const ENV = '/api/v1/platform/topology/environments';

describe('a database outage answers 503 unavailable, within a bounded time', () => {
  let proxy: CuttableProxy;
  let h: ModuleHarness;
  before(async () => {
    proxy = await startCuttableProxy();
    h = await createModuleHarness('platform', platformRoutes, { 'database.connectTimeoutMs': 500, 'database.statementTimeoutMs': 1_000, 'server.readinessTimeoutMs': 1_000 }, undefined, (url) => proxy.via(url));
  });
  after(async () => {
    await proxy.set('pass');
    await h.close();
    await proxy.close();
  });

  const timed = async (fn: () => Promise<LightMyRequestResponse>) => {
    const started = Date.now();
    const res = await fn();
    return { res, ms: Date.now() - started };
  };
  const recovered = async () => {
    for (let i = 0; i < 50; i++) {
      if ((await h.call('GET', ENV)).statusCode === 200) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  };

  it('serves normally through the proxy', async () => {
    assert.equal((await h.call('GET', ENV)).statusCode, 200);
  });

  it('connection refused: every request is 503 problem+json with Retry-After, none is 500', async () => {
    await proxy.set('refuse');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { res, ms } = await timed(() => h.call('GET', ENV));
      statuses.push(res.statusCode);
      assert.ok(ms < 3_000, `answered in ${ms} ms`);
      if (i === 0) {
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.json().code, 'unavailable');
        assert.match(String(res.headers['retry-after']), /^\d+$/);
      }
    }
    assert.deepEqual([...new Set(statuses)], [503]);
    const ready = await timed(() => h.app.inject({ method: 'GET', url: '/readyz' }));
    assert.equal(ready.res.statusCode, 503);
    assert.ok(ready.ms < 3_000, `readyz answered in ${ready.ms} ms`);
  });

  it('recovers by itself once the database is back', async () => {
    await proxy.set('pass');
    assert.ok(await recovered(), 'back to 200 within 10 s');
  });

  it('a hung database: requests and /readyz answer 503 within the configured bounds', async () => {
    await proxy.set('hang');
    const { res, ms } = await timed(() => h.call('GET', ENV));
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, 'unavailable');
    // connect 500 ms, or statement 1 s + the client's 1 s margin: well under the gateway's 15 s.
    assert.ok(ms < 4_000, `answered in ${ms} ms`);
    const ready = await timed(() => h.app.inject({ method: 'GET', url: '/readyz' }));
    assert.equal(ready.res.statusCode, 503);
    assert.ok(ready.ms < 2_000, `readyz answered in ${ready.ms} ms`);
    await proxy.set('pass');
    assert.ok(await recovered(), 'back to 200 within 10 s');
  });
});

describe('a server that shuts a session down or has no slot left answers 503 too', () => {
  let h: ModuleHarness;
  let admin: pg.Client;
  before(async () => {
    h = await createModuleHarness('platform', platformRoutes, { database: { connectTimeoutMs: 1_000, statementTimeoutMs: 5_000 } });
    admin = new pg.Client({ connectionString: h.t.adminUrl });
    await admin.connect();
  });
  after(async () => {
    await admin.query(`alter database ${h.t.name} connection limit -1`);
    await admin.end();
    await h.close();
  });
  const terminateRuntimeSessions = (where = '') =>
    admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and usename <> current_user ${where}`, [h.t.name]);

  it('admin shutdown of the session running a statement: DatabaseUnavailableError 57P01', async () => {
    const db = new Database(h.t.runtimeUrl, { max: 1, applicationName: 'tg-outage-terminate' });
    try {
      const running = db.query('select pg_sleep(10)').then(
        () => null,
        (err: unknown) => err,
      );
      await new Promise((r) => setTimeout(r, 300));
      await terminateRuntimeSessions("and application_name = 'tg-outage-terminate'");
      const err = await running;
      assert.ok(err instanceof DatabaseUnavailableError, String(err));
      assert.equal(err.outage, '57P01');
    } finally {
      await db.close();
    }
  });

  it('too many connections: DatabaseUnavailableError 53300, and a request answers 503 problem+json', async () => {
    await admin.query(`alter database ${h.t.name} connection limit 0`);
    // Every open session of the runtime role goes, so each pool must connect anew.
    await terminateRuntimeSessions();
    const db = new Database(h.t.runtimeUrl, { max: 1 });
    try {
      await assert.rejects(db.query('select 1'), (err: unknown) => err instanceof DatabaseUnavailableError && err.outage === '53300');
    } finally {
      await db.close();
    }
    for (let i = 0; i < 3; i++) {
      const res = await h.call('GET', ENV);
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(res.json().code, 'unavailable');
      assert.match(String(res.headers['retry-after']), /^\d+$/);
    }
    await admin.query(`alter database ${h.t.name} connection limit -1`);
    let status = 0;
    for (let i = 0; i < 25 && status !== 200; i++) {
      status = (await h.call('GET', ENV)).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 200, 'serves again once a slot is free');
  });
});

describe('outage classification and its log', () => {
  it('names outages by SQLSTATE, syscall or driver message; leaves other errors alone', () => {
    assert.equal(outageCause(Object.assign(new Error('x'), { code: '57P01' })), '57P01');
    assert.equal(outageCause(Object.assign(new Error('x'), { code: '08006' })), '08006');
    assert.equal(outageCause(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
    assert.ok(outageCause(new Error('timeout exceeded when trying to connect')));
    assert.equal(outageCause(Object.assign(new Error('dup'), { code: '23505' })), null);
    assert.equal(outageCause(new Error('boom')), null);
    assert.equal(outageCause(undefined), null);
  });

  it('writes one line per cause per interval, with the count it stands for', () => {
    let now = 0;
    const lines: Record<string, unknown>[] = [];
    const log = { warn: (o: Record<string, unknown>) => void lines.push(o) };
    const limited = new RateLimitedLog(10_000, () => now);
    for (let i = 0; i < 500; i++) limited.record(log as never, 'ECONNREFUSED', 'refused');
    limited.record(log as never, '57P01', 'shutdown');
    assert.equal(lines.length, 2);
    now = 10_000;
    limited.record(log as never, 'ECONNREFUSED', 'refused');
    assert.equal(lines.length, 3);
    assert.equal(lines[2].count, 500); // 499 held back + this one
  });

  it('when the failure stops, what was held back is written at the end of its interval, with its count', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = { warn: (o: Record<string, unknown>) => void lines.push(o) };
    const limited = new RateLimitedLog(100);
    for (let i = 0; i < 10; i++) limited.record(log as never, 'ECONNREFUSED', `refused ${i}`);
    assert.equal(lines.length, 1);
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(lines.length, 2, JSON.stringify(lines));
    assert.equal(lines[1].count, 9);
    assert.equal(lines[1].detail, 'refused 9');
    // Nothing more was held back: no further line.
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(lines.length, 2);
    limited.record(log as never, 'ECONNREFUSED', 'again');
    assert.equal(lines.length, 3, 'a new occurrence an interval after the last line is written at once');
    limited.record(log as never, 'ECONNREFUSED', 'held');
    limited.flush();
    assert.equal(lines.length, 4);
    assert.equal(lines[3].count, 1);
  });
});
