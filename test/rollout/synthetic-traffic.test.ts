/**
 * The acceptance matrix's deliberate legacy and spoof requests are synthetic: they never
 * count as legacy use and never trip a rollback monitor, whether the matrix runs on its own
 * or as step 4 of a rollback. Fourteen clean days stay clean. The control reads the same
 * counters with the synthetic rows included, so the test fails if the matrix stops sending
 * legacy traffic or the exclusion stops working.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/authority/store/clients.ts';
import { runMatrix } from '../../src/matrix/run-matrix.ts';
import { evaluateMonitors } from '../../src/rollout/gates/rollback-monitors.ts';
import { addUtcDays } from '../../src/rollout/gates/utc-days.ts';
import { monitorReadings, strictGate } from '../../src/rollout/operations/evaluate-gates.ts';
import { recordDeployment } from '../../src/rollout/operations/record-deployment.ts';
import { rolloutStatus } from '../../src/rollout/operations/rollout-status.ts';
import { formatStatus } from '../../src/rollout/text/format-status.ts';
import { matrixRerun } from '../../src/rollout/playbook/matrix-rerun.ts';
import { runRollback } from '../../src/rollout/playbook/run-rollback.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import type { RolloutEnv } from '../../src/rollout/rollout-env.ts';
import { readCurrentDeployments } from '../../src/rollout/state/read-state.ts';
import { systemClock, utcDay } from '../../src/telemetry/clock.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { legacySignals, signals } from '../../src/telemetry/signals.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

describe('synthetic matrix traffic stays out of the gates', () => {
  let ts: TestStack;
  let adminSecret: string;
  const today = utcDay(new Date());
  // The gate is read as of tomorrow, so today (with the matrix traffic) is inside its window.
  const tomorrow = new Date(Date.parse(`${addUtcDays(today, 1)}T06:00:00Z`));

  before(async () => {
    ts = await startTestStack();
    adminSecret = ts.credentials.clients['tenantgate-admin'].secret;
    // Thirteen earlier clean days with data (heartbeats and ordinary tenant decisions); today's
    // come from the running stack.
    for (let i = 1; i <= 13; i++) {
      const day = addUtcDays(today, -i);
      await ts.t.db.query(
        `insert into telemetry.heartbeats (utc_day, instance_id, component, first_seen, last_seen) values ($1::date, 'history-gateway', 'gateway', $2, $2)`,
        [day, new Date(`${day}T12:00:00Z`)],
      );
      await ts.t.db.query(`insert into telemetry.daily_counters (utc_day, signal, detail, count) values ($1, 'gateway.decision', 'match', 5) on conflict do nothing`, [day]);
    }
  });
  after(async () => ts?.stop());

  async function flushAll(): Promise<void> {
    for (const c of ts.stack.components) await c.ctx.counters.flush();
  }

  /** The gateway's /metrics, summed per metric name over every label set (and per label set for `by`). */
  async function scrape(): Promise<Map<string, number>> {
    const text = await (await fetch(`${ts.url('gateway')}/metrics`)).text();
    const sums = new Map<string, number>();
    for (const m of text.matchAll(/^(tenantgate_[a-z_]+_total)(\{[^}]*\})? ([0-9.e+]+)$/gm)) {
      const value = Number(m[3]);
      sums.set(m[1], (sums.get(m[1]) ?? 0) + value);
      const kind = /kind="([^"]+)"/.exec(m[2] ?? '')?.[1];
      if (m[1] === 'tenantgate_synthetic_requests_total' && kind) sums.set(`${m[1]}{kind=${kind}}`, value);
    }
    return sums;
  }
  const legacyMetrics = ['tenantgate_gateway_legacy_tenant_header_total', 'tenantgate_gateway_legacy_tid_claim_total', 'tenantgate_gateway_spoof_attempts_total'];

  async function legacyToday(filter: 'exclude' | 'only'): Promise<number> {
    const rows = await readDailyCounters(ts.t.db, today, today, legacySignals, filter);
    return rows.reduce((s, r) => s + r.count, 0);
  }

  it('a matrix run: green, its legacy requests counted apart, the strict gate still passes, its tenants and client removed', async () => {
    const metricsBefore = await scrape();
    const report = await runMatrix({ gateway: ts.url('gateway'), clientId: 'tenantgate-admin', secret: adminSecret });
    assert.equal(report.summary.failed, 0, JSON.stringify(report.rows.filter((r) => !r.passed)));

    // Prometheus: the matrix raises tenantgate_synthetic_requests_total (its legacy-header rows
    // among them), while the legacy-use metrics stay where they were.
    const metricsAfter = await scrape();
    const synth = (key: string) => (metricsAfter.get(key) ?? 0) - (metricsBefore.get(key) ?? 0);
    assert.ok(synth('tenantgate_synthetic_requests_total{kind=request}') > 0, JSON.stringify([...metricsAfter]));
    assert.ok(synth('tenantgate_synthetic_requests_total{kind=legacy_header}') > 0, JSON.stringify([...metricsAfter]));
    for (const name of legacyMetrics) assert.equal(metricsAfter.get(name) ?? 0, metricsBefore.get(name) ?? 0, `${name} unchanged by the matrix run`);
    const runId = report.runId!;
    assert.deepEqual(report.removed, [`client matrix-${runId}`, `tenant mx-${runId}-a`, `tenant mx-${runId}-b`]);
    await flushAll();

    // Control: the matrix did send legacy traffic, all of it under its synthetic identities.
    const synthetic = await readDailyCounters(ts.t.db, today, today, [signals.gatewayLegacyHeader], 'only');
    assert.ok(synthetic.some((r) => r.client === `matrix-${runId}` && r.count > 0), JSON.stringify(synthetic));
    assert.equal(await legacyToday('exclude'), 0, 'no real legacy use today');

    const gate = await strictGate(ts.t.db, defaultPolicy, tomorrow);
    assert.equal(gate.pass, true, JSON.stringify(gate.checks.filter((c) => !c.pass)));
    assert.equal(gate.days.at(-1)!.day, today);
    assert.equal(gate.days.at(-1)!.status, 'clean');
    assert.equal(gate.cleanStreak, 14);

    // The matrix's refusal rows fail token requests; the monitor reads none of them.
    const failures = await readDailyCounters(ts.t.db, today, today, [signals.authorityIssuanceFailed], 'include');
    const issuance = (await monitorReadings(ts.t.db, defaultPolicy, new Date())).find((r) => r.monitor === 'token-issuance-failures')!;
    assert.equal(issuance.total, failures.filter((r) => !r.client.startsWith('matrix-')).reduce((s, r) => s + r.count, 0));
    assert.equal(issuance.tripped, false);
    // The same monitor over every row, synthetic included, sees the matrix's failures.
    const allRows = await readDailyCounters(ts.t.db, addUtcDays(today, -8), today, [signals.authorityIssuanceFailed], 'include');
    const unfiltered = evaluateMonitors(defaultPolicy.monitors, new Date(), allRows, await readCurrentDeployments(ts.t.db)).find((r) => r.monitor === 'token-issuance-failures')!;
    assert.ok(unfiltered.total > issuance.total, `matrix token failures: ${unfiltered.total} vs ${issuance.total}`);

    // Gone from the Authority: neither tenant nor the client is left behind.
    const left = await ts.t.db.query(`select id from authority.tenants where id like $1 union all select client_id from authority.clients where client_id = $2`, [`mx-${runId}-%`, `matrix-${runId}`]);
    assert.deepEqual(left.rows, []);

    const status = await rolloutStatus(ts.t.db, defaultPolicy, new Date());
    assert.ok(status.syntheticUse.legacyUses > 0);
    assert.ok((status.syntheticUse.bySignal[signals.gatewayLegacyHeader] ?? 0) > 0);
    assert.match(formatStatus(status), /synthetic traffic \(acceptance matrix, .*not counted by any gate or monitor\): .*\d+ × gateway\.legacy_header/);
  });

  it('a rollback that reruns the matrix leaves the fourteen clean days clean', async () => {
    const env: RolloutEnv = {
      db: ts.t.db,
      policy: defaultPolicy,
      clock: systemClock,
      matrix: matrixRerun({ gateway: ts.url('gateway'), clientId: 'tenantgate-admin', secret: adminSecret, outDir: join(ts.t.stateDir, 'evidence') }),
    };
    await recordDeployment(env, { actor: 'ops:test', component: 'scanner', buildId: 'scanner-1.0', lastKnownGood: true });
    await recordDeployment(env, { actor: 'ops:test', component: 'scanner', buildId: 'scanner-1.1' });
    const before = await legacyToday('only');
    const rollback = await runRollback(env, { actor: 'ops:test', component: 'scanner', reason: 'synthetic traffic test' });
    // The compatibility flags are on already in phase 0: that step has nothing to change.
    assert.deepEqual(rollback.steps.map((s) => `${s.step}:${s.outcome}`), ['flags:unchanged', 'freeze:done', 'revert:done', 'matrix:done']);
    await flushAll();
    assert.ok((await legacyToday('only')) > before, 'the rerun sent legacy traffic of its own');
    assert.equal(await legacyToday('exclude'), 0);
    const gate = await strictGate(ts.t.db, defaultPolicy, tomorrow);
    assert.equal(gate.pass, true, JSON.stringify(gate.checks.filter((c) => !c.pass)));
    assert.equal(gate.cleanStreak, 14);
    const tripped = (await monitorReadings(ts.t.db, defaultPolicy, new Date())).filter((r) => r.tripped);
    assert.deepEqual(tripped, []);
  });

  it('a synthetic tenant or client is flagged and registered; a non-boolean flag is refused; only a fleet writer makes a synthetic client', async () => {
    const res = await fetch(`${ts.url('gateway')}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'tenantgate-admin', client_secret: adminSecret, scope: 'authority:tenants.write' }),
    });
    const token = ((await res.json()) as any).access_token;
    const bad = await fetch(`${ts.url('gateway')}/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'synthetic-bad', synthetic: 'yes' }),
    });
    assert.equal(bad.status, 400);
    const made = await fetch(`${ts.url('gateway')}/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'synthetic-ok', synthetic: true }),
    });
    assert.equal(made.status, 201);
    assert.equal(((await made.json()) as any).synthetic, true);
    const registry = await ts.t.db.query(`select kind, id from telemetry.synthetic_identities where id = 'synthetic-ok'`);
    assert.deepEqual(registry.rows, [{ kind: 'tenant', id: 'synthetic-ok' }]);
    // A tenant admin must not be able to hide its own clients' legacy use.
    const input = { clientId: 'tenant-made-synthetic', grantTypes: ['client_credentials'], scopes: ['platform:read'], tenant: 'tenant-alpha', synthetic: true };
    await assert.rejects(createClient(ts.t.db, input, 'alice', { tenant: 'tenant-alpha' }), (err: unknown) => (err as { code?: string }).code === 'insufficient_scope');
    const fleet = await createClient(ts.t.db, { ...input, clientId: 'fleet-made-synthetic' }, 'ops');
    assert.equal(fleet.client.synthetic, true);
    const both = await ts.t.db.query(`select id from telemetry.synthetic_identities where kind = 'client' and id like '%-made-synthetic' order by id`);
    assert.deepEqual(both.rows, [{ id: 'fleet-made-synthetic' }]);
  });
});
