import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Database } from '../../src/db/database.ts';
import { DailyCounters, readDailyCounters } from '../../src/telemetry/counters.ts';
import { InstanceReporter } from '../../src/telemetry/instance.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const fixedClock = (iso: string) => ({ now: () => new Date(iso) });

async function total(db: Database, signal: string, day: string): Promise<number> {
  const rows = await readDailyCounters(db, day, day, [signal]);
  return rows.reduce((sum, r) => sum + r.count, 0);
}

describe('durable daily counters', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t.drop());

  it('are exact under concurrent increments from several writers', async () => {
    const writers = [0, 1, 2].map((i) => {
      const db = new Database(t.runtimeUrl, { max: 2 });
      return { db, counters: new DailyCounters({ db: db, instanceId: `w${i}`, flushIntervalMs: 20, clock: fixedClock('2026-03-10T12:00:00Z') }) };
    });
    for (const w of writers) w.counters.start();
    await Promise.all(
      writers.map(async (w, i) => {
        for (let n = 0; n < 3000; n++) {
          w.counters.increment('test.concurrent', { client: `c${n % 7}`, tenant: i % 2 ? 'tenant-a' : 'tenant-b' });
          if (n % 250 === 0) await new Promise((r) => setTimeout(r, 5));
        }
      }),
    );
    for (const w of writers) {
      assert.equal(await w.counters.stop(), true);
      await w.db.close();
    }
    assert.equal(await total(t.db, 'test.concurrent', '2026-03-10'), 9000);
  });

  it('count on the UTC day of the increment, across midnight', async () => {
    let now = new Date('2026-03-11T23:59:59.999Z');
    const counters = new DailyCounters({ db: t.db, instanceId: 'midnight', clock: { now: () => now } });
    counters.increment('test.midnight');
    now = new Date('2026-03-12T00:00:00.000Z');
    counters.increment('test.midnight', {}, 2);
    assert.equal(await counters.flush(), true);
    assert.equal(await total(t.db, 'test.midnight', '2026-03-11'), 1);
    assert.equal(await total(t.db, 'test.midnight', '2026-03-12'), 2);
  });

  it('lose nothing and double count nothing across a database outage', async () => {
    const target = new URL(t.runtimeUrl);
    const proxy = await startTcpProxy(target.hostname, Number(target.port));
    target.port = String(proxy.port);
    const db = new Database(target.toString(), { max: 2 });
    const errors: unknown[] = [];
    const counters = new DailyCounters({ db: db, instanceId: 'outage', flushIntervalMs: 25, clock: fixedClock('2026-03-13T08:00:00Z'), onError: (e) => errors.push(e) });
    counters.start();
    let sent = 0;
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) {
        counters.increment('test.outage', { alias: i % 2 ? 'X-Tenant-Id' : 'X-Stella-Tenant', client: `c${i % 5}` });
        sent++;
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 2));
      }
    };
    await send(1000);
    await proxy.cut();
    await send(2000);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(errors.length > 0, 'flushes failed while the database was away');
    assert.ok(counters.bufferedCells > 0 && counters.bufferedCells <= 20, `buffer is bounded by label cardinality (${counters.bufferedCells})`);
    await proxy.restore();
    await send(1000);
    assert.equal(await counters.stop(10_000), true);
    await db.close();
    await proxy.close();
    assert.equal(await total(t.db, 'test.outage', '2026-03-13'), sent);
  });

  it('a batch retried after an ambiguous failure is applied once', async () => {
    const counters = new DailyCounters({ db: t.db, instanceId: 'retry', clock: fixedClock('2026-03-14T08:00:00Z') });
    counters.increment('test.retry', {}, 5);
    // Make the first write commit but look failed to the writer, as when a connection drops after COMMIT.
    const realWrite = (counters as any).write.bind(counters);
    let calls = 0;
    (counters as any).write = async (id: string, cells: unknown[]) => {
      calls++;
      await realWrite(id, cells);
      if (calls === 1) throw new Error('connection lost after commit');
    };
    assert.equal(await counters.flush(), false);
    assert.equal(await counters.flush(), true);
    assert.equal(calls, 2);
    assert.equal(await total(t.db, 'test.retry', '2026-03-14'), 5);
  });

  it('a busy process writes one batch per flush, not back to back', async () => {
    const counters = new DailyCounters({ db: t.db, instanceId: 'busy', clock: fixedClock('2026-03-16T08:00:00Z') });
    const realWrite = (counters as any).write.bind(counters);
    let writes = 0;
    // Traffic keeps arriving while each batch is being written.
    (counters as any).write = async (id: string, cells: unknown[]) => {
      writes++;
      counters.increment('test.busy');
      await realWrite(id, cells);
    };
    counters.increment('test.busy');
    assert.equal(await counters.flush(), false);
    assert.equal(writes, 1);
    assert.equal(counters.bufferedCells, 1);
    assert.equal(await total(t.db, 'test.busy', '2026-03-16'), 1);
    // Stopping drains what is left without waiting between successful writes.
    (counters as any).write = realWrite;
    assert.equal(await counters.stop(), true);
    assert.equal(await total(t.db, 'test.busy', '2026-03-16'), 2);
  });

  it('a handle keeps counting into the right cell across flushes, the day change and an outage', async () => {
    const target = new URL(t.runtimeUrl);
    const proxy = await startTcpProxy(target.hostname, Number(target.port));
    target.port = String(proxy.port);
    const db = new Database(target.toString(), { max: 2 });
    let now = new Date('2026-03-14T23:59:59.000Z');
    const counters = new DailyCounters({ db, instanceId: 'handles', clock: { now: () => now }, onError: () => {} });
    const alias = counters.handle('test.handle', { alias: 'X-Tenant-Id', client: 'c1', tenant: 'tenant-a' });
    const other = counters.handle('test.handle', { alias: 'X-Tenant-Id', client: 'c2', tenant: 'tenant-a' });
    for (let i = 0; i < 5; i++) counters.add(alias);
    // An increment by labels and a handle on the same labels share one cell.
    counters.increment('test.handle', { alias: 'X-Tenant-Id', client: 'c1', tenant: 'tenant-a' });
    counters.add(other, 3);
    assert.equal(counters.bufferedCells, 2);
    assert.equal(await counters.flush(), true);
    counters.add(alias, 4);
    assert.equal(await counters.flush(), true);
    // While the database is away, a failed batch stays pending and new additions buffer apart.
    await proxy.cut();
    counters.add(alias, 10);
    assert.equal(await counters.flush(), false);
    counters.add(alias, 20);
    await proxy.restore();
    assert.equal(await counters.flush(), true);
    // Midnight passes between two additions with no flush in between.
    counters.add(alias);
    now = new Date('2026-03-15T00:00:00.500Z');
    counters.add(alias, 7);
    counters.add(other);
    assert.equal(await counters.stop(), true);
    await db.close();
    await proxy.close();
    const rows = await readDailyCounters(t.db, '2026-03-14', '2026-03-15', ['test.handle']);
    assert.deepEqual(
      rows.map((r) => [r.day, r.client, r.count]),
      [
        ['2026-03-14', 'c1', 41],
        ['2026-03-14', 'c2', 3],
        ['2026-03-15', 'c1', 7],
        ['2026-03-15', 'c2', 1],
      ],
    );
  });

  it('heartbeats mark a day as having data, per instance', async () => {
    const reporter = new InstanceReporter(t.db, 'gateway', { clock: fixedClock('2026-03-15T10:00:00Z') });
    await reporter.register();
    const { rows } = await t.db.query("select instance_id, component from telemetry.heartbeats where utc_day = '2026-03-15'");
    assert.deepEqual(rows, [{ instance_id: reporter.instanceId, component: 'gateway' }]);
  });
});
