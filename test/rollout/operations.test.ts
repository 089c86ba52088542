import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFlagSnapshot, setFlags } from '../../src/flags/store.ts';
import { checklistReport, decide } from '../../src/rollout/operations/decide.ts';
import { advancePhase } from '../../src/rollout/operations/advance-phase.ts';
import { enableStrict } from '../../src/rollout/operations/enable-strict.ts';
import { strictGate } from '../../src/rollout/operations/evaluate-gates.ts';
import { importEvidence } from '../../src/rollout/operations/import-evidence.ts';
import { recordDeployment } from '../../src/rollout/operations/record-deployment.ts';
import { recordSignoff } from '../../src/rollout/operations/record-signoff.ts';
import { RolloutInputError, RolloutRefusal } from '../../src/rollout/operations/refusal.ts';
import { setFreeze } from '../../src/rollout/operations/set-freeze.ts';
import { renderChecklist } from '../../src/rollout/checklist/render-checklist.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import type { RolloutEnv } from '../../src/rollout/rollout-env.ts';
import { readRolloutState } from '../../src/rollout/state/read-state.ts';
import { readDailyTelemetry } from '../../src/rollout/state/read-daily-telemetry.ts';
import { queryAudit } from '../../src/telemetry/audit.ts';
import { DailyCounters } from '../../src/telemetry/counters.ts';
import { InstanceReporter } from '../../src/telemetry/instance.ts';
import { legacySignals, signals } from '../../src/telemetry/signals.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

class SettableClock {
  constructor(public at: Date) {}
  now() {
    return new Date(this.at);
  }
}

const junit = (cases: Record<string, boolean>) =>
  `<testsuite>${Object.entries(cases)
    .map(([n, ok]) => (ok ? `<testcase name="${n}"/>` : `<testcase name="${n}"><failure message="no"/></testcase>`))
    .join('')}</testsuite>`;

describe('rollout operations on PostgreSQL', () => {
  let t: TestDatabase;
  let env: RolloutEnv;
  const clock = new SettableClock(new Date('2026-02-27T09:00:00Z'));
  const who = { actor: 'ops:test' };
  before(async () => {
    t = await createTestDatabase();
    env = { db: t.db, policy: defaultPolicy, clock };
  });
  after(async () => t.drop());

  it('advance is refused with the reason table, then allowed by its checks', async () => {
    await assert.rejects(advancePhase(env, { ...who, reason: 'try' }), (err: unknown) => {
      assert.ok(err instanceof RolloutRefusal);
      assert.deepEqual(
        err.checks.filter((c) => !c.pass).map((c) => c.id),
        ['contract-accepted', 'trackers-ready'],
      );
      return true;
    });
    for (const owner of ['Authority', 'Router', 'Platform', 'Scanner', 'Graph', 'Web']) await recordSignoff(env, { ...who, criterion: 'contract-accepted', signedBy: `${owner} owner`, owner, note: 'contract accepted' });
    await assert.rejects(recordSignoff(env, { ...who, criterion: 'trackers-ready', signedBy: 'x', owner: 'QA' }), /names no owner roles/);
    await assert.rejects(recordSignoff(env, { ...who, criterion: 'nope', signedBy: 'x' }), RolloutInputError);
    await assert.rejects(advancePhase(env, { ...who, reason: 'try' }), /trackers-ready/);
    await recordSignoff(env, { ...who, criterion: 'trackers-ready', signedBy: 'Quinn QA' });
    const r = await advancePhase(env, { ...who, reason: 'phase 0 done' });
    assert.deepEqual([r.from, r.to], [0, 1]);
    assert.equal((await readRolloutState(t.db)).phase, 1);
    const audit = await queryAudit(t.db, { type: 'rollout.advance*' });
    assert.deepEqual(audit.items.map((a) => a.type).sort(), ['rollout.advance.refused', 'rollout.advance.refused', 'rollout.advanced']);
  });

  it('phase 1: deploy records and evidence after them open the gate; freeze blocks it', async () => {
    clock.at = new Date('2026-03-01T10:00:00Z');
    await recordDeployment(env, { ...who, component: 'authority', buildId: '20260222.054', configVersion: 'c1', lastKnownGood: true });
    clock.at = new Date('2026-03-02T10:00:00Z');
    await recordDeployment(env, { ...who, component: 'gateway', buildId: '20260222.055' });
    await assert.rejects(recordDeployment(env, { ...who, component: 'mainframe', buildId: 'x' }), /unknown component/);
    clock.at = new Date('2026-03-03T10:00:00Z');
    await importEvidence(env, { ...who, kind: 'authority', name: 'authority.xml', content: junit({ 'selected tenant': true }) });
    const red = await importEvidence(env, { ...who, kind: 'gateway', name: 'gateway.xml', content: junit({ spoof: true, mismatch: false }) });
    assert.equal(red.green, false);
    await assert.rejects(advancePhase(env, { ...who, reason: 'x' }), /gateway-strips-and-rewrites, targeted-tests-ci/);
    await importEvidence(env, { ...who, kind: 'gateway', name: 'gateway.xml', content: junit({ spoof: true, mismatch: true }) });
    await setFreeze(env, { ...who, frozen: true, reason: 'waiting for the change board' });
    await assert.rejects(advancePhase(env, { ...who, reason: 'x' }), (err: unknown) => {
      assert.deepEqual((err as RolloutRefusal).checks.filter((c) => !c.pass).map((c) => c.id), ['not-frozen']);
      return true;
    });
    const again = await setFreeze(env, { ...who, frozen: true, reason: 'again' });
    assert.equal(again.changed, false);
    await setFreeze(env, { ...who, frozen: false, reason: 'board approved' });
    assert.equal((await advancePhase(env, { ...who, reason: 'phase 1 done' })).to, 2);
  });

  it('counts at 23:59:59.999 and at 00:00:00 UTC land on their own days', async () => {
    const at = new SettableClock(new Date('2026-03-20T23:59:59.999Z'));
    const reporter = new InstanceReporter(t.db, 'gateway', { clock: at });
    const counters = new DailyCounters({ db: t.db, instanceId: reporter.instanceId, clock: at });
    await reporter.register();
    counters.increment(signals.gatewayLegacyHeader, { alias: 'X-Tenant-Id', client: 'legacy-cli', tenant: 'tenant-alpha' });
    at.at = new Date('2026-03-21T00:00:00.000Z');
    await reporter.heartbeat(true);
    counters.increment(signals.gatewayLegacyHeader, { alias: 'X-Tenant-Id', client: 'legacy-cli', tenant: 'tenant-alpha' }, 2);
    assert.equal(await counters.flush(), true);
    const days = await readDailyTelemetry(t.db, '2026-03-20', '2026-03-21', legacySignals);
    assert.deepEqual(
      days.map((d) => [d.day, d.heartbeats, d.legacy.reduce((s, l) => s + l.count, 0)]),
      [
        ['2026-03-20', 1, 1],
        ['2026-03-21', 1, 2],
      ],
    );
  });

  it('strict enable: refused before the earliest day and while frozen (even forced); forced is audited', async () => {
    clock.at = new Date('2026-03-25T12:00:00Z');
    await assert.rejects(enableStrict(env, { ...who, mode: 'new-clients', reason: 'go' }), (err: unknown) => {
      const failing = (err as RolloutRefusal).checks.filter((c) => !c.pass).map((c) => c.id);
      assert.ok(failing.includes('earliest-date'), failing.join());
      return true;
    });
    const forced = await enableStrict(env, { ...who, mode: 'all', reason: 'emergency drill', force: true });
    assert.equal(forced.forced, true);
    assert.equal((await readFlagSnapshot(t.db)).values['gateway.strictMode'], 'all', 'force overrides the gate and the order');
  });

  it('strict enable after 14 clean days with data passes without force; freeze blocks', async () => {
    await setFlags(t.db, [{ name: 'gateway.strictMode', value: 'off' }], { actor: 'test', reason: 'reset' });
    const reporter = new InstanceReporter(t.db, 'gateway', { clock });
    const counters = new DailyCounters({ db: t.db, instanceId: reporter.instanceId, clock });
    for (let d = 0; d < 14; d++) {
      clock.at = new Date(Date.parse('2026-04-02T06:00:00Z') + d * 86_400_000);
      await reporter.heartbeat(true);
      // Traffic that day: a day with heartbeats but no tenant decisions is "no data".
      counters.increment(signals.gatewayDecision, { detail: 'match', client: 'scanner-bot', tenant: 'tenant-alpha' });
      assert.equal(await counters.flush(), true);
    }
    clock.at = new Date('2026-04-16T08:00:00Z');
    const gate = await strictGate(t.db, defaultPolicy, clock.now());
    assert.equal(gate.pass, true, JSON.stringify(gate.checks));
    await setFreeze(env, { ...who, frozen: true, reason: 'incident' });
    await assert.rejects(enableStrict(env, { ...who, mode: 'new-clients', reason: 'go', force: true }), /not-frozen.*force does not override a freeze/);
    await setFreeze(env, { ...who, frozen: false, reason: 'resolved' });
    const r = await enableStrict(env, { ...who, mode: 'new-clients', reason: 'zero legacy for 14 days' });
    assert.equal(r.forced, false);
    assert.equal((await readFlagSnapshot(t.db)).values['gateway.strictMode'], 'new-clients');
    const audit = await queryAudit(t.db, { type: 'rollout.strict*' });
    assert.deepEqual(audit.items.map((a) => a.type), ['rollout.strict.enabled', 'rollout.strict.refused', 'rollout.strict.forced', 'rollout.strict.refused']);
    assert.equal((audit.items[2].properties as any).forced, true);
    assert.ok((audit.items[2].properties as any).overridden.some((c: any) => c.id === 'earliest-date'));
  });

  it('checklist: same evidence → byte-identical report twice; go refused while red, forced go audited, no-go allowed', async () => {
    const one = renderChecklist(await checklistReport(t.db, defaultPolicy));
    const two = renderChecklist(await checklistReport(t.db, defaultPolicy));
    assert.equal(one.json, two.json);
    assert.equal(one.markdown, two.markdown);
    await assert.rejects(decide(env, { ...who, decision: 'go', qa: 'Quinn', pm: 'Pat' }), /go refused: red checklist items gateway-staging, module-isolation, web-matrix, telemetry-review/);
    await assert.rejects(decide(env, { ...who, decision: 'go', qa: 'Quinn', pm: '' }), /QA and the project manager/);
    await assert.rejects(decide(env, { ...who, decision: 'go', qa: 'Quinn', pm: 'Pat', force: true }), /--force needs --reason/);
    const nogo = await decide(env, { ...who, decision: 'no-go', qa: 'Quinn', pm: 'Pat', note: 'evidence missing' });
    assert.equal(nogo.decision.forced, false);
    assert.equal(nogo.report.items.find((i) => i.id === 'go-no-go')!.status, 'green');
    const forced = await decide(env, { ...who, decision: 'go', qa: 'Quinn', pm: 'Pat', force: true, forceReason: 'exec override for the demo' });
    assert.equal(forced.decision.forced, true);
    assert.equal(forced.decision.checklistSha256, one.json ? JSON.parse(one.json).evidenceSha256 : '');
    const audit = await queryAudit(t.db, { type: 'rollout.decision*' });
    assert.deepEqual(audit.items.map((a) => a.type), ['rollout.decision.forced', 'rollout.decision.recorded', 'rollout.decision.refused']);
  });
});
