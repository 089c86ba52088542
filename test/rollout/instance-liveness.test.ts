/**
 * `rollout status` tells running instances from gone ones: an instance not seen for three
 * of its own heartbeat periods shows as gone and does not count toward convergence.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlags } from '../../src/flags/store.ts';
import { rolloutStatus } from '../../src/rollout/operations/rollout-status.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import { formatStatus } from '../../src/rollout/text/format-status.ts';
import { InstanceReporter } from '../../src/telemetry/instance.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

class SettableClock {
  constructor(public at: Date) {}
  now() {
    return new Date(this.at);
  }
}

describe('instance liveness in rollout status', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t?.drop());

  it('silent for more than three heartbeat periods → gone, not converged, not counted; back within them → running', async () => {
    const clock = new SettableClock(new Date('2026-12-01T10:00:00Z'));
    const live = new InstanceReporter(t.db, 'gateway', { clock, heartbeatIntervalMs: 10_000 });
    const stale = new InstanceReporter(t.db, 'platform', { clock, heartbeatIntervalMs: 10_000 });
    await live.register();
    await stale.register();
    await setFlags(t.db, [{ name: 'gateway.tenantOverride', value: true }], { actor: 'test', reason: 'new flag version' });
    await live.reportFlagVersion(1);

    // 31 s later: the platform instance (still on flag version 0) missed three 10 s periods.
    clock.at = new Date('2026-12-01T10:00:31Z');
    await live.heartbeat(true);
    const s = await rolloutStatus(t.db, defaultPolicy, clock.now());
    const byComponent = Object.fromEntries(s.instances.map((i) => [i.component, i]));
    assert.equal(byComponent.gateway.state, 'running');
    assert.equal(byComponent.gateway.converged, true);
    assert.equal(byComponent.platform.state, 'gone');
    assert.equal(byComponent.platform.converged, false);
    assert.equal(s.converged, true, 'a gone instance does not hold convergence back');
    assert.deepEqual(s.instances.map((i) => i.component), ['gateway', 'platform'], 'running instances first');
    const text = formatStatus(s);
    assert.match(text, /instances \(1 running, 1 gone; all running on flag version 1\)/);
    assert.match(text, /platform .* GONE \(not seen for 1 min\)/);

    // Within three periods (30 s) it still counts: behind, so the fleet is not converged.
    clock.at = new Date('2026-12-01T10:00:29Z');
    const early = await rolloutStatus(t.db, defaultPolicy, clock.now());
    assert.equal(early.instances.find((i) => i.component === 'platform')!.state, 'running');
    assert.equal(early.converged, false);
    assert.match(formatStatus(early), /platform .* BEHIND/);
  });
});
