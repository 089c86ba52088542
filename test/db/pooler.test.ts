/**
 * tenantgate behind Debian's pgbouncer in TRANSACTION pool mode, one server connection per
 * database and user (so every transaction of a pool shares one server session): flags by
 * NOTIFY over the direct `database.listenUrl`, the rollback playbook's lease, RLS with
 * interleaved tenants, and migrations. And what goes wrong without: LISTEN through the
 * pooler delivers nothing, session advisory locks are not exclusive.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Database } from '../../src/db/database.ts';
import { migrate, readMigrations } from '../../src/db/migrate.ts';
import { withCredentials, withDatabase } from '../../src/db/urls.ts';
import { LiveFlags } from '../../src/flags/live.ts';
import { currentFlagVersion, setFlags } from '../../src/flags/store.ts';
import { recordDeployment } from '../../src/rollout/operations/record-deployment.ts';
import { runRollback } from '../../src/rollout/playbook/run-rollback.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import type { RolloutEnv } from '../../src/rollout/rollout-env.ts';
import { readDeployments, readIncidents } from '../../src/rollout/state/read-state.ts';
import { startStack, type Stack } from '../../src/stack.ts';
import { readDemoCredentials } from '../../src/demo/credentials.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testAdminUrl, testRoles, TEST_RUNTIME_PASSWORD } from '../support/env.ts';
import { callApi, clientToken } from '../support/gateway-client.ts';
import { startPgbouncer, type Pgbouncer } from '../support/pgbouncer.ts';
import { freeBasePort } from '../support/ports.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await sleep(25);
  }
  return null;
}

const HOOK = `import { appendFileSync } from 'node:fs';
const [out, ...args] = process.argv.slice(2);
await new Promise((r) => setTimeout(r, 100));
appendFileSync(out, JSON.stringify(args) + '\\n');
`;

describe('behind pgbouncer (pool_mode = transaction, one server connection)', () => {
  let t: TestDatabase;
  let bouncer: Pgbouncer;
  let pooledRuntimeUrl: string;
  let admin: { user: string; password: string; port: number };
  let stack: Stack;
  let gatewayUrl: string;
  const pooledDbs: Database[] = [];
  const pooled = (max = 4) => {
    const db = new Database(pooledRuntimeUrl, { max, applicationName: 'tenantgate-pooler-test' });
    pooledDbs.push(db);
    return db;
  };

  before(async () => {
    t = await createTestDatabase();
    const u = new URL(testAdminUrl());
    admin = { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), port: Number(u.port) };
    bouncer = await startPgbouncer({ upstreamPort: admin.port, users: { [testRoles.runtime]: TEST_RUNTIME_PASSWORD, [admin.user]: admin.password }, poolSize: 1 });
    pooledRuntimeUrl = bouncer.url(testRoles.runtime, TEST_RUNTIME_PASSWORD, t.name);
    // The fleet as deployed: every pool through the pooler, LISTEN on the direct connection,
    // and polling so slow that only a notification can deliver a change in time.
    const config = t.config({ 'server.basePort': await freeBasePort(), 'demo.seed': true, 'database.runtimeUrl': pooledRuntimeUrl, 'database.listenUrl': t.runtimeUrl, 'flags.pollIntervalMs': 60_000, 'server.logLevel': process.env.POOLER_LOG ?? 'silent' });
    stack = await startStack({ config, prepared: { ...t.prepared, runtimeUrl: pooledRuntimeUrl }, components: ['gateway', 'authority', 'platform'], cwd: t.stateDir });
    gatewayUrl = stack.components.find((c) => c.name === 'gateway')!.url;
  });

  after(async () => {
    await stack?.stop();
    for (const db of pooledDbs) await db.close().catch(() => undefined);
    await bouncer?.stop();
    await t?.drop();
  });

  it('LISTEN through the pooler is accepted and then delivers nothing (why database.listenUrl exists)', async () => {
    const db = pooled(2);
    const flags = new LiveFlags({ db, listenUrl: pooledRuntimeUrl, pollIntervalMs: 60_000 });
    await flags.start();
    try {
      const before = flags.version;
      await setFlags(t.db, [{ name: 'gateway.tenantOverride', value: !flags.get('gateway.tenantOverride') }], { actor: 'test', reason: 'pooled listen' });
      const version = await currentFlagVersion(t.db);
      assert.ok(version > before);
      assert.equal(await waitFor(() => flags.version === version, 2_500), null, 'a notification arrived through a transaction pooler');
    } finally {
      await flags.stop();
      // The LISTEN stays on the shared server session, and its notifications would reach
      // whichever client runs there next: leave the session as it was (pool size 1: this is it).
      await db.query('unlisten *');
    }
  });

  it('with listenUrl direct, a flag change reaches the gateway by NOTIFY in < 5 s (polling every 60 s)', async () => {
    const gateway = stack.components.find((c) => c.name === 'gateway')!.ctx.flags;
    const platform = stack.components.find((c) => c.name === 'platform')!.ctx.flags;
    await setFlags(pooled(2), [{ name: 'gateway.tenantOverride', value: !gateway.get('gateway.tenantOverride') }], { actor: 'test', reason: 'direct listen' });
    const version = await currentFlagVersion(t.db);
    const took = await waitFor(() => gateway.version === version && platform.version === version, 5_000);
    assert.notEqual(took, null, `gateway at flag version ${gateway.version}, expected ${version}`);
  });

  it('concurrent token requests, each audited, all succeed: no named prepared statement meets another client on the one server session', async () => {
    const credentials = readDemoCredentials(stack.credentialsFile)!;
    const answers = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => clientToken(gatewayUrl, credentials, 'scanner-bot', { tenant: i % 2 ? 'tenant-bravo' : 'tenant-alpha' })));
    const failed = answers.filter((a) => a.status === 'rejected').map((a) => String((a as PromiseRejectedResult).reason).slice(0, 300));
    assert.deepEqual(failed, []);
  });

  it('RLS holds through the pooler: interleaved tenants on one server session see only their own rows', async () => {
    const credentials = readDemoCredentials(stack.credentialsFile)!;
    const alpha = await clientToken(gatewayUrl, credentials, 'scanner-bot', { tenant: 'tenant-alpha' });
    const bravo = await clientToken(gatewayUrl, credentials, 'scanner-bot', { tenant: 'tenant-bravo' });
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        const tenant = i % 2 ? 'bravo' : 'alpha';
        return callApi(gatewayUrl, tenant === 'alpha' ? alpha : bravo, 'GET', '/api/v1/platform/topology/environments').then((r) => ({ tenant, r }));
      }),
    );
    for (const { tenant, r } of answers) {
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items.map((e: any) => e.id), tenant === 'alpha' ? ['alpha-lab', 'prod'] : ['bravo-edge', 'prod']);
      assert.doesNotMatch(r.text, tenant === 'alpha' ? /Bravo/ : /Alpha/);
    }

    // The same through the runtime handle, with the server session made visible.
    const db = pooled(8);
    await Promise.all(['tenant-alpha', 'tenant-bravo'].map((tenant) => db.withTenant(tenant, (tx) => tx.query('insert into sample.notes (tenant_id, id, body) values ($1, $2, $3)', [tenant, 'n1', `note of ${tenant}`]))));
    const seen = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const tenant = i % 2 ? 'tenant-bravo' : 'tenant-alpha';
        return db.withTenant(tenant, async (tx) => {
          const { rows } = await tx.query<{ tenant_id: string; body: string }>('select tenant_id, body from sample.notes');
          const pid = (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
          return { tenant, rows, pid };
        });
      }),
    );
    assert.equal(new Set(seen.map((s) => s.pid)).size, 1, 'every transaction ran on the one server session');
    for (const s of seen) assert.deepEqual(s.rows, [{ tenant_id: s.tenant, body: `note of ${s.tenant}` }]);
    // Nothing of a tenant transaction is left on the shared session.
    const { rows } = await db.query<{ t: string | null }>("select current_setting('app.tenant_id', true) as t");
    assert.ok(!rows[0].t, `app.tenant_id leaked: ${rows[0].t}`);
    assert.equal((await db.query('select * from sample.notes')).rowCount, 0, 'no tenant, no rows');
  });

  it('session advisory locks are not exclusive through the pooler (why the playbook and migrations do not use them)', async () => {
    const a = new pg.Client({ connectionString: pooledRuntimeUrl });
    const b = new pg.Client({ connectionString: pooledRuntimeUrl });
    await a.connect();
    await b.connect();
    try {
      assert.equal((await a.query('select pg_try_advisory_lock(4242) as ok')).rows[0].ok, true);
      assert.equal((await b.query('select pg_try_advisory_lock(4242) as ok')).rows[0].ok, true, 'a second client got the "held" lock');
    } finally {
      await a.query('select pg_advisory_unlock_all()').catch(() => undefined);
      await a.end();
      await b.end();
    }
  });

  it('the rollback playbook runs through the pooler; of two concurrent runs one acts, the other finds it done', async () => {
    const hookLog = join(t.stateDir, 'hook.log');
    const hookScript = join(t.stateDir, 'revert.mjs');
    writeFileSync(hookLog, '');
    writeFileSync(hookScript, HOOK);
    const clock = { now: () => new Date('2026-03-12T10:00:00Z') };
    let matrixRuns = 0;
    const envOf = (db: Database): RolloutEnv => ({
      db,
      clock,
      policy: { ...defaultPolicy, revertHook: { command: [process.execPath, hookScript, hookLog, '{module}', '{build}'], timeoutMs: 10_000 } },
      matrix: async () => {
        matrixRuns++;
        const rows = [{ id: 'S1', title: 'scans isolated', passed: true }];
        return { reportJson: JSON.stringify({ format: 'tenantgate-matrix/1', rows }), cases: [{ name: 'S1', status: 'passed' as const }], outDir: null, gateway: gatewayUrl };
      },
    });
    // Two instances, each with its own pool through the pooler.
    const one = envOf(pooled(3));
    const two = envOf(pooled(3));
    const who = { actor: 'ops:test' };
    await recordDeployment(one, { ...who, component: 'scanner', buildId: 's-1', lastKnownGood: true, deployedAt: new Date('2026-03-10T10:00:00Z') });
    await recordDeployment(one, { ...who, component: 'scanner', buildId: 's-2', deployedAt: new Date('2026-03-11T10:00:00Z') });
    await setFlags(one.db, [{ name: 'scanner.emitLegacyHeaders', value: false }], { actor: 'test', reason: 'migrated' });

    const runs = await Promise.all([runRollback(one, { ...who, component: 'scanner', reason: 'first' }), runRollback(two, { ...who, component: 'scanner', reason: 'second' })]);
    assert.deepEqual(runs.map((r) => r.noop).sort(), [false, true], JSON.stringify(runs.map((r) => r.steps)));
    assert.equal(runs[0].incidentId, runs[1].incidentId);
    assert.equal(readFileSync(hookLog, 'utf8').trim().split('\n').length, 1, 'the revert hook ran once');
    assert.equal(matrixRuns, 1);
    const [incident] = await readIncidents(t.db, { component: 'scanner' });
    assert.deepEqual(incident.timeline.map((e) => e.step), ['opened', 'flags', 'freeze', 'revert', 'matrix']);
    assert.equal((await readDeployments(t.db, 'scanner')).find((d) => d.current)!.buildId, 's-1');
    assert.equal((await t.db.query('select * from rollout.leases')).rowCount, 0, 'the lease is released');

    // A holder that crashed mid-run leaves its lease row behind: the next run waits out its expiry.
    await t.db.query("insert into rollout.leases (name, holder, expires_at) values ('rollback-playbook', 'crashed-instance', clock_timestamp() + interval '1 second')");
    const started = Date.now();
    const later = await runRollback(one, { ...who, component: 'scanner', reason: 'after a crash' });
    assert.equal(later.noop, true);
    assert.ok(Date.now() - started >= 800, 'the crashed holder’s lease was respected until it expired');
  });

  it('migrations run through the pooler; two migrators at once apply each file exactly once', async () => {
    const name = `tg_pool_${randomBytes(4).toString('hex')}`;
    const direct = new pg.Client({ connectionString: testAdminUrl() });
    await direct.connect();
    await direct.query(`create database ${name}`);
    try {
      const url = bouncer.url(admin.user, admin.password, name);
      const options = { adminUrl: url, roles: testRoles, runtimePassword: TEST_RUNTIME_PASSWORD };
      const [a, b] = await Promise.all([migrate(options), migrate(options)]);
      const all = readMigrations().map((m) => m.name);
      assert.deepEqual([...a.applied, ...b.applied].sort(), all);
      assert.deepEqual([...a.applied].filter((m) => b.applied.includes(m)), []);
      const again = await migrate(options);
      assert.deepEqual(again.applied, []);
      const runtime = new Database(withCredentials(withDatabase(bouncer.url(admin.user, admin.password, name), name), testRoles.runtime, TEST_RUNTIME_PASSWORD), { max: 1 });
      try {
        assert.equal((await runtime.withTenant('tenant-alpha', (tx) => tx.query('select * from sample.notes'))).rowCount, 0);
      } finally {
        await runtime.close();
      }
    } finally {
      await direct.query(`drop database if exists ${name} with (force)`);
      await direct.end();
    }
  });
});
