import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flagHistory, readFlagSnapshot, setFlags } from '../../src/flags/store.ts';
import { recordDeployment } from '../../src/rollout/operations/record-deployment.ts';
import { runMonitors } from '../../src/rollout/playbook/run-monitors.ts';
import { startMonitorLoop } from '../../src/rollout/playbook/monitor-loop.ts';
import pino from 'pino';
import { runRollback } from '../../src/rollout/playbook/run-rollback.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import type { RolloutPolicy } from '../../src/rollout/policy/schema.ts';
import type { RolloutEnv } from '../../src/rollout/rollout-env.ts';
import { readDeployments, readEvidence, readIncidents, readRolloutState } from '../../src/rollout/state/read-state.ts';
import { DailyCounters } from '../../src/telemetry/counters.ts';
import { signals } from '../../src/telemetry/signals.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const HOOK = `import { appendFileSync } from 'node:fs';
const [out, ...args] = process.argv.slice(2);
if (args.includes('fail-me')) { process.stderr.write('deploy tool says no'); process.exit(3); }
appendFileSync(out, JSON.stringify(args) + '\\n');
`;

describe('rollback playbook on PostgreSQL', () => {
  let t: TestDatabase;
  let env: RolloutEnv;
  let hookLog: string;
  let matrixRuns = 0;
  const clock = { now: () => new Date('2026-03-12T10:00:00Z') };
  const who = { actor: 'ops:test' };

  before(async () => {
    t = await createTestDatabase();
    hookLog = join(t.stateDir, 'hook.log');
    writeFileSync(hookLog, '');
    const hookScript = join(t.stateDir, 'revert.mjs');
    writeFileSync(hookScript, HOOK);
    const policy: RolloutPolicy = { ...defaultPolicy, revertHook: { command: [process.execPath, hookScript, hookLog, '{module}', '{build}', '{incident}'], timeoutMs: 10_000 } };
    env = {
      db: t.db,
      policy,
      clock,
      matrix: async ({ component }) => {
        matrixRuns++;
        const rows = [{ id: 'S1', title: `scans isolated (${component})`, passed: true }];
        return { reportJson: JSON.stringify({ format: 'tenantgate-matrix/1', rows, run: matrixRuns }), cases: rows.map((r) => ({ name: r.id, status: 'passed' as const })), outDir: null, gateway: 'http://gateway.test' };
      },
    };
    const at = (s: string) => new Date(`2026-03-${s}Z`);
    await recordDeployment(env, { ...who, component: 'platform', buildId: 'p-1', lastKnownGood: true, deployedAt: at('08T09:00:00') });
    await recordDeployment(env, { ...who, component: 'platform', buildId: 'p-2', deployedAt: at('09T09:00:00') });
    await recordDeployment(env, { ...who, component: 'scanner', buildId: 's-1', configVersion: 'cfg-7', lastKnownGood: true, deployedAt: at('09T10:00:00') });
    await recordDeployment(env, { ...who, component: 'scanner', buildId: 's-2', deployedAt: at('10T10:00:00') });
    await recordDeployment(env, { ...who, component: 'scanner', buildId: 's-3', deployedAt: at('11T10:00:00') });
    await setFlags(
      t.db,
      [
        { name: 'gateway.strictMode', value: 'new-clients' },
        { name: 'gateway.legacyHeaders', value: false },
        { name: 'scanner.emitLegacyHeaders', value: false },
        { name: 'scanner.acceptLegacyHeaders', value: false },
        { name: 'platform.emitLegacyHeaders', value: false },
        { name: 'platform.acceptLegacyHeaders', value: false },
      ],
      { actor: 'test', reason: 'migrated' },
    );
  });
  after(async () => t.drop());

  it('runs the four steps for one module, each on the incident timeline', async () => {
    const r = await runRollback(env, { ...who, component: 'scanner', reason: 'tenant conflicts after s-3' });
    assert.equal(r.noop, false);
    assert.deepEqual(
      r.steps.map((s) => [s.step, s.outcome]),
      [
        ['flags', 'done'],
        ['freeze', 'done'],
        ['revert', 'done'],
        ['matrix', 'done'],
      ],
    );
    const flags = (await readFlagSnapshot(t.db)).values;
    assert.equal(flags['gateway.legacyHeaders'], true);
    assert.equal(flags['gateway.strictMode'], 'off');
    assert.equal(flags['scanner.emitLegacyHeaders'], true);
    assert.equal(flags['scanner.acceptLegacyHeaders'], true);
    assert.equal(flags['platform.emitLegacyHeaders'], false, 'other module untouched');
    assert.equal(flags['platform.acceptLegacyHeaders'], false, 'other module untouched');
    const state = await readRolloutState(t.db);
    assert.equal(state.frozen, true);
    const scanner = await readDeployments(t.db, 'scanner');
    assert.deepEqual(
      scanner.map((d) => [d.buildId, d.current, d.revertedByIncident]),
      [
        ['s-1', true, null],
        ['s-2', false, r.incidentId],
        ['s-3', false, r.incidentId],
      ],
    );
    const platform = await readDeployments(t.db, 'platform');
    assert.deepEqual(platform.map((d) => [d.buildId, d.current, d.revertedAt]), [
      ['p-1', false, null],
      ['p-2', true, null],
    ]);
    assert.deepEqual(readFileSync(hookLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l)), [['scanner', 's-1', String(r.incidentId)]]);
    const evidence = await readEvidence(t.db, { incidentId: r.incidentId });
    assert.equal(evidence.length, 1);
    assert.equal(evidence[0].kind, 'matrix');
    assert.equal(evidence[0].green, true);
    assert.equal(evidence[0].summary.build, 's-1');
    assert.deepEqual(
      r.incident.timeline.map((e) => [e.step, e.outcome]),
      [
        ['opened', 'info'],
        ['flags', 'done'],
        ['freeze', 'done'],
        ['revert', 'done'],
        ['matrix', 'done'],
      ],
    );
  });

  it('a second run changes nothing and says so', async () => {
    const historyBefore = (await flagHistory(t.db)).length;
    const [incidentBefore] = await readIncidents(t.db, { component: 'scanner' });
    const r = await runRollback(env, { ...who, component: 'scanner', reason: 'again' });
    assert.equal(r.noop, true);
    assert.deepEqual(r.steps.map((s) => s.outcome), ['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    assert.equal(r.incidentId, incidentBefore.id);
    assert.equal((await flagHistory(t.db)).length, historyBefore);
    assert.equal(r.incident.timeline.length, incidentBefore.timeline.length);
    assert.equal(readFileSync(hookLog, 'utf8').trim().split('\n').length, 1, 'hook not run again');
    assert.equal(matrixRuns, 1);
    assert.equal((await readEvidence(t.db, { incidentId: r.incidentId })).length, 1);
  });

  it('a failing revert hook leaves the deployment as it was and records the failure', async () => {
    const failing: RolloutEnv = { ...env, policy: { ...env.policy, revertHook: { ...env.policy.revertHook, command: [...env.policy.revertHook.command, 'fail-me'] } } };
    const r = await runRollback(failing, { ...who, component: 'platform', reason: 'forbidden spike' });
    const revert = r.steps.find((s) => s.step === 'revert')!;
    assert.equal(revert.outcome, 'failed');
    assert.match(revert.detail, /failed \(exit 3: deploy tool says no\); platform stays on p-2/);
    assert.equal((await readDeployments(t.db, 'platform')).find((d) => d.current)!.buildId, 'p-2');
    assert.equal(r.incident.timeline.find((e) => e.step === 'revert')!.outcome, 'failed');
  });

  it('a tripped auto-rollback monitor runs the playbook itself; a manual one only opens an incident', async () => {
    const db2 = await createTestDatabase();
    try {
      const env2: RolloutEnv = { ...env, db: db2.db };
      await recordDeployment(env2, { ...who, component: 'graph', buildId: 'g-1', lastKnownGood: true, deployedAt: new Date('2026-03-10T00:00:00Z') });
      await recordDeployment(env2, { ...who, component: 'graph', buildId: 'g-2', deployedAt: new Date('2026-03-12T08:00:00Z') });
      const counters = new DailyCounters({ db: db2.db, instanceId: 'test', clock });
      counters.increment(signals.moduleRejection, { detail: 'graph:GRAPH_VALIDATION_FAILED', tenant: 'tenant-alpha' }, 40);
      counters.increment(signals.gatewayDecision, { detail: 'mismatch' }, 10);
      counters.increment(signals.authorityIssuanceFailed, { detail: 'invalid_client' }, 500);
      await counters.flush();
      const run = await runMonitors(env2);
      const tripped = run.readings.filter((r) => r.tripped).map((r) => `${r.monitor}/${r.module}`);
      assert.deepEqual(tripped, ['token-issuance-failures/authority', 'module-tenant-conflicts/graph']);
      const graph = run.incidents.find((i) => i.component === 'graph')!;
      assert.ok(graph.playbook);
      assert.equal(graph.playbook.steps.find((s) => s.step === 'revert')!.outcome, 'done');
      assert.equal((await readDeployments(db2.db, 'graph')).find((d) => d.current)!.buildId, 'g-1');
      const authority = run.incidents.find((i) => i.component === 'authority')!;
      assert.equal(authority.playbook, null);
      const [incident] = await readIncidents(db2.db, { component: 'authority' });
      assert.equal(incident.trigger, 'monitor:token-issuance-failures');
      assert.match(incident.timeline[0].detail, /leaves the rollback to an operator/);
      // Evaluating again opens nothing new.
      const again = await runMonitors(env2);
      assert.equal(again.incidents.every((i) => !i.opened), true);
      assert.equal((await readIncidents(db2.db)).length, 2);
    } finally {
      await db2.drop();
    }
  });

  it('the monitor loop evaluates on its own: a trip rolls back without anyone running a command', async () => {
    const db3 = await createTestDatabase();
    try {
      const env3: RolloutEnv = { ...env, db: db3.db, matrix: undefined };
      await recordDeployment(env3, { ...who, component: 'scanner', buildId: 'ok', lastKnownGood: true, deployedAt: new Date('2026-03-11T00:00:00Z') });
      await recordDeployment(env3, { ...who, component: 'scanner', buildId: 'bad', deployedAt: new Date('2026-03-12T01:00:00Z') });
      const counters = new DailyCounters({ db: db3.db, instanceId: 'loop-test', clock });
      counters.increment(signals.moduleRejection, { detail: 'scanner:tenant_conflict' }, 26);
      await counters.flush();
      const stop = startMonitorLoop(env3, 50, pino({ level: 'silent' }));
      try {
        for (let i = 0; i < 200 && (await readIncidents(db3.db)).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await stop();
      }
      const [incident] = await readIncidents(db3.db);
      assert.equal(incident.trigger, 'monitor:module-tenant-conflicts');
      assert.equal((await readDeployments(db3.db, 'scanner')).find((d) => d.current)!.buildId, 'ok');
      assert.equal(incident.timeline.find((e) => e.step === 'matrix')!.outcome, 'failed', 'no gateway configured: the step says so');
      assert.equal((await readIncidents(db3.db)).length, 1, 'one trip, one incident');
    } finally {
      await db3.drop();
    }
  });
});
