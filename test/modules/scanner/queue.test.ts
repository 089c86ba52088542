/**
 * The scan queue: leases, reclaim after a crash, exactly-once completion, and several real
 * scanner processes sharing one queue.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { loadBundledAdvisories } from '../../../src/modules/scanner/advisories/load-bundled-dataset.ts';
import { buildAdvisoryIndex } from '../../../src/modules/scanner/engine/advisory-index.ts';
import { executeScan } from '../../../src/modules/scanner/engine/execute-scan.ts';
import { createLogger } from '../../../src/host/logger.ts';
import { claimJob, finishJob, LeaseLostError } from '../../../src/modules/scanner/queue/job-store.ts';
import { ScanWorkers } from '../../../src/modules/scanner/queue/scan-workers.ts';
import { createRegistry } from '../../../src/telemetry/metrics.ts';
import { createScan } from '../../../src/modules/scanner/store/scan-store.ts';
import { syncAdvisories } from '../../../src/modules/scanner/advisories/sync-advisories.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { ALPHA, BRAVO, digest, sbomFor } from './harness.ts';
import { spawnScanner, type ScannerProcess } from './scanner-process.ts';

const index = buildAdvisoryIndex(loadBundledAdvisories());

async function enqueue(t: TestDatabase, tenant: string, name: string) {
  return t.db.withTenant(tenant, (c) => createScan(c, { imageDigest: digest(name), imageName: name, sbom: sbomFor(tenant === ALPHA ? 'Alpha' : 'Bravo'), source: 'test', requestedBy: 'test' }));
}

async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('scan queue: leases and exactly-once completion', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await syncAdvisories(t.db, loadBundledAdvisories());
  });
  after(async () => t?.drop());

  it('an expired lease is reclaimed; the stale worker cannot finish, the new one does, once', async () => {
    const scan = await enqueue(t, ALPHA, 'lease-test');
    const a = await claimJob(t.db, 'worker-a', randomUUID(), 60);
    assert.ok(a);
    assert.equal(a.scanId, scan.id);
    assert.equal(await claimJob(t.db, 'worker-b', randomUUID(), 60), null, 'a held lease is not claimable');
    // Worker A stalls past its lease.
    await t.db.query("update scanner.jobs set lease_expires_at = clock_timestamp() - interval '1 second' where id = $1", [a.id]);
    const b = await claimJob(t.db, 'worker-b', randomUUID(), 60);
    assert.ok(b);
    assert.equal(b.id, a.id);
    assert.equal(b.attempts, 2);
    // A wakes up and tries to finish: its whole transaction rolls back.
    await assert.rejects(
      t.db.withTenant(ALPHA, async (c) => {
        const r = await executeScan(c, a.scanId, index, new Date());
        assert.equal(r.outcome, 'completed');
        await finishJob(c, a, 'done', 'worker-a');
      }),
      LeaseLostError,
    );
    const beforeB = await t.db.withTenant(ALPHA, (c) => c.query('select status from scanner.scans where id = $1', [scan.id]));
    assert.equal(beforeB.rows[0].status, 'queued');
    const result = await t.db.withTenant(ALPHA, async (c) => {
      const r = await executeScan(c, b.scanId, index, new Date());
      await finishJob(c, b, 'done', 'worker-b');
      return r;
    });
    assert.deepEqual(result, { outcome: 'completed', components: 4, findings: 3, unknowns: 1 });
    // Running the scan again (a duplicate delivery of the job) changes nothing.
    const again = await t.db.withTenant(ALPHA, (c) => executeScan(c, scan.id, index, new Date()));
    assert.deepEqual(again, { outcome: 'already_finished' });
    const findings = await t.db.withTenant(ALPHA, (c) => c.query('select count(*)::int as n from scanner.findings where scan_id = $1', [scan.id]));
    assert.equal(findings.rows[0].n, 3);
    const job = await t.db.query('select state, finished_by, attempts from scanner.jobs where id = $1', [a.id]);
    assert.deepEqual(job.rows[0], { state: 'done', finished_by: 'worker-b', attempts: 2 });
  });

  it('concurrent claimers never get the same job', async () => {
    for (let i = 0; i < 20; i++) await enqueue(t, i % 2 ? ALPHA : BRAVO, `concurrent-${i}`);
    const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => claimJob(t.db, `w${i}`, randomUUID(), 60)));
    const ids = claims.filter((c) => c !== null).map((c) => c!.id);
    assert.equal(ids.length, 20);
    assert.equal(new Set(ids).size, 20);
  });

  it('the queue table holds no scan data: image, SBOM and results stay behind RLS', async () => {
    const { rows } = await t.db.query(
      "select column_name from information_schema.columns where table_schema = 'scanner' and table_name = 'jobs' order by ordinal_position",
    );
    assert.deepEqual(
      rows.map((r) => r.column_name),
      ['id', 'tenant_id', 'scan_id', 'state', 'attempts', 'lease_token', 'lease_owner', 'lease_expires_at', 'enqueued_at', 'finished_at', 'finished_by'],
    );
    const outside = await t.db.query('select count(*)::int as n from scanner.scans');
    assert.equal(outside.rows[0].n, 0, 'no tenant set → no scans visible');
  });
});

describe('scan queue: real scanner processes', () => {
  let t: TestDatabase;
  const processes: ScannerProcess[] = [];
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    for (const p of processes) await p.kill();
    await t?.drop();
  });

  const instancePid = async (owner: string) => {
    const { rows } = await t.db.query('select pid from telemetry.instances where $1 like instance_id || \'%\'', [owner]);
    return rows[0]?.pid as number | undefined;
  };

  it('two processes drain a batch without doing any scan twice', async () => {
    const settings = { 'modules.scannerWorkers': 2, 'modules.scanDelayMs': 100, 'modules.scanPollIntervalMs': 50 };
    const [p1, p2] = await Promise.all([spawnScanner(t, settings), spawnScanner(t, settings)]);
    processes.push(p1, p2);
    const scans: { tenant: string; id: string }[] = [];
    for (let i = 0; i < 30; i++) {
      const tenant = i % 2 ? ALPHA : BRAVO;
      scans.push({ tenant, id: (await enqueue(t, tenant, `batch-${i}`)).id });
    }
    await waitUntil('the batch to drain', async () => {
      const { rows } = await t.db.query("select count(*)::int as n from scanner.jobs where state = 'done'");
      return rows[0].n === 30;
    });
    const jobs = await t.db.query('select attempts, finished_by from scanner.jobs');
    assert.ok(jobs.rows.every((j) => j.attempts === 1), 'no job was claimed twice');
    const pids = new Set(await Promise.all(jobs.rows.map((j) => instancePid(j.finished_by))));
    assert.deepEqual([...pids].sort(), [p1.pid, p2.pid].sort(), 'both processes did work');
    for (const { tenant, id } of scans) {
      const { rows } = await t.db.withTenant(tenant, (c) =>
        c.query('select s.status, s.finding_count, (select count(*)::int from scanner.findings f where f.scan_id = s.id) as stored from scanner.scans s where s.id = $1', [id]),
      );
      assert.deepEqual(rows[0], { status: 'completed', finding_count: 3, stored: 3 }, `${tenant}/${id}`);
    }
    await Promise.all([p1.stop(), p2.stop()]);
  });

  it('a scanner killed mid-job: the job completes on another process after the lease expires', async () => {
    const slow = await spawnScanner(t, { 'modules.scannerWorkers': 1, 'modules.scanDelayMs': 600_000, 'modules.scanJobLeaseSeconds': 2, 'modules.scanPollIntervalMs': 50 });
    processes.push(slow);
    const scan = await enqueue(t, BRAVO, 'crash-test');
    const claimed = await waitUntil('the slow scanner to claim the job', async () => {
      const { rows } = await t.db.query("select lease_owner from scanner.jobs where scan_id = $1 and tenant_id = $2 and state = 'running'", [scan.id, BRAVO]);
      return rows[0]?.lease_owner as string | undefined;
    });
    assert.equal(await instancePid(claimed), slow.pid);
    await slow.kill();
    const rescuer = await spawnScanner(t, { 'modules.scannerWorkers': 1, 'modules.scanJobLeaseSeconds': 2, 'modules.scanPollIntervalMs': 50 });
    processes.push(rescuer);
    const job = await waitUntil('the job to complete on the other process', async () => {
      const { rows } = await t.db.query("select attempts, finished_by from scanner.jobs where scan_id = $1 and tenant_id = $2 and state = 'done'", [scan.id, BRAVO]);
      return rows[0];
    });
    assert.equal(job.attempts, 2);
    assert.equal(await instancePid(job.finished_by), rescuer.pid);
    const { rows } = await t.db.withTenant(BRAVO, (c) => c.query('select status, finding_count from scanner.scans where id = $1', [scan.id]));
    assert.deepEqual(rows[0], { status: 'completed', finding_count: 3 });
    await rescuer.stop();
  });
});

describe('scan workers: shutdown hands a job back', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t?.drop());

  it('a worker stopped during a scan releases the job at once instead of holding its lease', async () => {
    const workers = new ScanWorkers({
      db: t.db,
      index,
      workers: 1,
      owner: 'stopping-worker',
      leaseSeconds: 600,
      pollIntervalMs: 50,
      maxAttempts: 5,
      scanDelayMs: 600_000,
      logger: createLogger('scanner', 'silent'),
      metrics: createRegistry('scanner', false),
    });
    workers.start();
    const scan = await enqueue(t, ALPHA, 'shutdown');
    await waitUntil('the worker to claim', async () => (await t.db.query("select 1 from scanner.jobs where state = 'running'")).rowCount === 1);
    await workers.stop();
    const job = await t.db.query('select state, lease_token, attempts from scanner.jobs where scan_id = $1', [scan.id]);
    assert.deepEqual(job.rows[0], { state: 'queued', lease_token: null, attempts: 1 });
    const s = await t.db.withTenant(ALPHA, (c) => c.query('select status from scanner.scans where id = $1', [scan.id]));
    assert.equal(s.rows[0].status, 'queued');
  });
});
