import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateMonitors, matchesDetail } from '../../src/rollout/gates/rollback-monitors.ts';
import type { DeploymentRecord } from '../../src/rollout/model.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import type { Monitor } from '../../src/rollout/policy/schema.ts';
import type { DailyTotal } from '../../src/telemetry/counters.ts';
import { signals } from '../../src/telemetry/signals.ts';

const now = new Date('2026-03-12T15:00:00Z');
const row = (day: string, signal: string, detail: string, count: number): DailyTotal => ({ day, signal, alias: '', client: '', tenant: '', detail, count });
const deploy = (component: any, at: string): DeploymentRecord => ({ id: 1, component, buildId: 'b', configVersion: null, deployedAt: at, recordedBy: 't', lastKnownGood: false, current: true, revertedAt: null, revertedByIncident: null });
const monitor = (id: string) => defaultPolicy.monitors.find((m) => m.id === id)! as Monitor;

describe('rollback monitors', () => {
  it('detail patterns: exact, {module} and prefix', () => {
    assert.equal(matchesDetail(['{module}:tenant_conflict'], 'scanner', 'scanner:tenant_conflict'), true);
    assert.equal(matchesDetail(['{module}:tenant_conflict'], 'scanner', 'graph:tenant_conflict'), false);
    assert.equal(matchesDetail(['{module}:*'], 'graph', 'graph:GRAPH_VALIDATION_FAILED'), true);
    assert.equal(matchesDetail(undefined, 'x', 'anything'), true);
  });

  it('module tenant conflicts since the deploy trip per module, only for that module', () => {
    const counters = [row('2026-03-12', signals.moduleRejection, 'scanner:tenant_conflict', 30), row('2026-03-12', signals.moduleRejection, 'platform:tenant_conflict', 3), row('2026-03-12', signals.moduleRejection, 'graph:GRAPH_VALIDATION_FAILED', 26)];
    const deployments = [deploy('scanner', '2026-03-12T09:00:00.000Z'), deploy('platform', '2026-03-11T09:00:00.000Z'), deploy('graph', '2026-03-12T09:00:00.000Z')];
    const readings = evaluateMonitors([monitor('module-tenant-conflicts')], now, counters, deployments);
    assert.deepEqual(
      readings.map((r) => [r.module, r.total, r.tripped, r.autoRollback]),
      [
        ['platform', 3, false, true],
        ['scanner', 30, true, true],
        ['graph', 26, true, true],
      ],
    );
  });

  it('sinceDeploy: counts before the deploy day do not count, and no deploy means no reading', () => {
    const m: Monitor = { ...monitor('module-tenant-conflicts'), windowDays: 3 };
    const counters = [row('2026-03-10', signals.moduleRejection, 'scanner:tenant_conflict', 100), row('2026-03-12', signals.moduleRejection, 'scanner:tenant_conflict', 5)];
    const [, scanner] = evaluateMonitors([m], now, counters, [deploy('scanner', '2026-03-11T23:00:00.000Z')]);
    assert.equal(scanner.total, 5);
    assert.equal(scanner.window.from, '2026-03-11');
    const none = evaluateMonitors([m], now, counters, []);
    assert.equal(none.every((r) => !r.tripped && /no deployment/.test(r.detail)), true);
  });

  it('baseline: above the threshold but within factor × the usual level does not trip', () => {
    const m = monitor('token-issuance-failures');
    const usual = ['2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11'].map((d) => row(d, signals.authorityIssuanceFailed, 'invalid_client', 40));
    const calm = evaluateMonitors([m], now, [...usual, row('2026-03-12', signals.authorityIssuanceFailed, 'invalid_client', 70)], []);
    assert.equal(calm[0].tripped, false);
    assert.equal(calm[0].baselineMean, 40);
    const spike = evaluateMonitors([m], now, [...usual, row('2026-03-12', signals.authorityIssuanceFailed, 'invalid_client', 81)], []);
    assert.equal(spike[0].tripped, true);
    assert.equal(spike[0].module, 'authority');
    const quiet = evaluateMonitors([m], now, [row('2026-03-12', signals.authorityIssuanceFailed, 'x', 15)], []);
    assert.equal(quiet[0].tripped, false, 'under the absolute threshold');
  });

  it('other signals and details are ignored', () => {
    const readings = evaluateMonitors([monitor('strict-rejections')], now, [row('2026-03-12', signals.gatewayDecision, 'match', 10_000), row('2026-03-12', signals.gatewayDecision, 'legacy_rejected', 101)], []);
    assert.equal(readings[0].total, 101);
    assert.equal(readings[0].tripped, true);
  });
});
