/**
 * The compatibility window's end applied by running gateways at the date, without a
 * restart: the clock crosses midnight after `legacyAliasesUntil` and the next request with a
 * legacy alias follows the policy's `legacyAliases.onWindowEnd` (keep / reject-new-clients /
 * reject-all). Accepted use after the end is reported as past-window use per client in
 * `/admin/rollout/status` and the status text. Real Authority, Platform and gateway.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedAuthorityDemo } from '../../src/authority/demo-seed.ts';
import type { Config } from '../../src/config/schema.ts';
import type { WindowEndAction } from '../../src/contract/legacy-window.ts';
import type { DemoCredentials } from '../../src/demo/credentials.ts';
import { rolloutStatus } from '../../src/rollout/operations/rollout-status.ts';
import { openIncident } from '../../src/rollout/playbook/incident-log.ts';
import { addUtcDays } from '../../src/rollout/gates/utc-days.ts';
import { defaultPolicyInput } from '../../src/rollout/policy/default.ts';
import { loadPolicy } from '../../src/rollout/policy/load.ts';
import { shiftPolicy } from '../../src/rollout/policy/schedule.ts';
import { formatStatus } from '../../src/rollout/text/format-status.ts';
import { startStack, type Stack } from '../../src/stack.ts';
import { utcDay } from '../../src/telemetry/clock.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freeBasePort } from '../support/ports.ts';
import { send } from './support/harness.ts';

describe('the compatibility window end, applied at the date', () => {
  let t: TestDatabase;
  const credentials: DemoCredentials = { clients: {}, users: {} };
  // The window's last day is the real today; the test clock starts a minute before its end.
  const until = utcDay(new Date());
  const closesAt = Date.parse(`${addUtcDays(until, 1)}T00:00:00Z`);
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };

  before(async () => {
    t = await createTestDatabase();
    await seedAuthorityDemo({ db: t.db, config: t.config({}), keyEncryptionKey: t.keyEncryptionKey, credentials });
    // legacy-cli predates the new-clients cut-over (the day after the window); scanner-bot is created after it.
    await t.db.query("update authority.clients set created_at = '2025-06-01T00:00:00Z' where client_id = 'legacy-cli'");
    await t.db.query('update authority.clients set created_at = $1 where client_id = $2', [new Date(closesAt + 1000), 'scanner-bot']);
  });
  after(async () => t?.drop());

  /** A stack whose policy file has the window ending today and `onWindowEnd` as given; the clock starts before the end. */
  async function withStack(onWindowEnd: WindowEndAction, body: (s: { gateway: string; config: Config; stack: Stack; cross: () => void }) => Promise<void>) {
    offset = closesAt - 60_000 - Date.now();
    // Each policy's run counts from zero (the stacks share one database).
    await t.db.query('delete from telemetry.daily_counters');
    const policyFile = join(t.stateDir, `policy-${onWindowEnd}.json`);
    // Shifted so that the window ends today: phase 0 starts 37 days before.
    const policy = shiftPolicy(defaultPolicyInput, addUtcDays(until, -37));
    writeFileSync(policyFile, JSON.stringify({ ...policy, legacyAliases: { onWindowEnd } }));
    const config = t.config({ 'server.basePort': await freeBasePort(), 'rollout.policyFile': policyFile, 'demo.seed': false });
    const stack = await startStack({ config, prepared: t.prepared, components: ['authority', 'platform', 'gateway'], cwd: t.stateDir, clock });
    try {
      const gateway = stack.components.find((c) => c.name === 'gateway')!.url;
      await body({ gateway, config, stack, cross: () => (offset = closesAt + 5_000 - Date.now()) });
    } finally {
      await stack.stop();
    }
  }

  async function token(gateway: string, clientId: string, extra: Record<string, string> = {}): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: credentials.clients[clientId].secret, ...extra });
    const res = await send(`${gateway}/connect/token`, 'POST', [['Content-Type', 'application/x-www-form-urlencoded']], form.toString());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token;
  }
  const legacyRequest = async (gateway: string, clientId: string, extra: Record<string, string> = {}) =>
    send(`${gateway}/api/v1/platform/context`, 'GET', [
      ['Authorization', `Bearer ${await token(gateway, clientId, extra)}`],
      ['X-Tenant-Id', 'tenant-alpha'],
    ]);

  it('reject-all: accepted inside the window; refused with legacy_window_closed once the clock passes the end', async () => {
    await withStack('reject-all', async ({ gateway, cross }) => {
      const inside = await legacyRequest(gateway, 'legacy-cli');
      assert.equal(inside.status, 200, JSON.stringify(inside.body));
      cross();
      const outside = await legacyRequest(gateway, 'legacy-cli');
      assert.equal(outside.status, 400, JSON.stringify(outside.body));
      assert.equal(outside.body.code, 'legacy_window_closed');
      assert.match(outside.body.detail, new RegExp(`compatibility window ended after ${until}`));
      const canonical = await send(`${gateway}/api/v1/platform/context`, 'GET', [
        ['Authorization', `Bearer ${await token(gateway, 'legacy-cli')}`],
        ['X-StellaOps-Tenant', 'tenant-alpha'],
      ]);
      assert.equal(canonical.status, 200, 'the canonical header is unaffected');
    });
  });

  it('reject-new-clients: after the end only a client created on/after the cut-over is refused', async () => {
    await withStack('reject-new-clients', async ({ gateway, cross }) => {
      assert.equal((await legacyRequest(gateway, 'scanner-bot', { tenant: 'tenant-alpha' })).status, 200, 'inside the window every client keeps its alias');
      cross();
      const fresh = await legacyRequest(gateway, 'scanner-bot', { tenant: 'tenant-alpha' });
      assert.equal(fresh.status, 400, JSON.stringify(fresh.body));
      assert.equal(fresh.body.code, 'legacy_window_closed');
      const old = await legacyRequest(gateway, 'legacy-cli');
      assert.equal(old.status, 200, JSON.stringify(old.body));
    });
  });

  it('keep: accepted after the end and reported as past-window use per client, with a warning naming the client', async () => {
    await withStack('keep', async ({ gateway, config, cross }) => {
      const policy = loadPolicy(config, t.stateDir);
      const before = await rolloutStatus(t.db, policy, clock.now());
      assert.equal(before.legacyWindow.closed, false);
      assert.equal(before.legacyWindow.until, until);
      assert.equal(before.legacyWindow.days, 1);
      assert.match(formatStatus(before), new RegExp(`window   open, 1 day\\(s\\) left \\(aliases supported through ${until}\\); at the end: keep`));
      assert.equal((await legacyRequest(gateway, 'legacy-cli')).status, 200);

      cross();
      for (let i = 0; i < 3; i++) assert.equal((await legacyRequest(gateway, 'legacy-cli')).status, 200);

      const admin = await token(gateway, 'tenantgate-admin', { scope: 'rollout:read' });
      let status: any = null;
      for (let i = 0; i < 50; i++) {
        status = (await send(`${gateway}/admin/rollout/status`, 'GET', [['Authorization', `Bearer ${admin}`]])).body;
        if (status.legacyWindow?.pastWindowUse?.[0]?.uses === 3) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status.legacyWindow.closed, true);
      assert.equal(status.legacyWindow.days, 0);
      assert.equal(status.legacyWindow.onWindowEnd, 'keep');
      assert.deepEqual(status.legacyWindow.pastWindowUse.map((u: any) => [u.client, u.uses, u.aliases]), [['legacy-cli', 3, ['X-Tenant-Id']]], 'the use inside the window is not past-window use');
      assert.match(status.legacyWindow.warning, /the compatibility window closed 0 day\(s\) ago .* but legacy aliases are still accepted; clients still using them: legacy-cli \(3\)/);
      assert.ok(status.warnings.includes(status.legacyWindow.warning));

      const text = formatStatus(await rolloutStatus(t.db, policy, clock.now()));
      assert.match(text, new RegExp(`window   CLOSED 0 day\\(s\\) ago \\(aliases supported through ${until}\\); at the end: keep`));
      assert.match(text, /past-window use:\n {4}legacy-cli +3 uses/);
      assert.match(text, /WARNING {2}the compatibility window closed/);

      // The operator's overview (the console's Overview page) from the same state.
      await openIncident(t.db, clock.now(), { component: 'gateway', reason: 'drill', trigger: 'manual', actor: 'test' });
      const overview = (await send(`${gateway}/admin/rollout/overview`, 'GET', [['Authorization', `Bearer ${admin}`]])).body;
      assert.deepEqual([overview.phase.id, overview.phase.frozen], [0, false]);
      assert.equal(overview.exitGate.pass, false);
      assert.deepEqual(overview.exitGate.failing.map((f: any) => f.id), ['contract-accepted', 'trackers-ready']);
      assert.equal(overview.legacyWindow.closed, true);
      assert.equal(overview.legacyWindow.pastWindowUse[0].client, 'legacy-cli');
      assert.equal(overview.strictGate.pass, false);
      assert.equal(overview.strictGate.required, 14);
      assert.equal(overview.legacyUse.days.length, 31);
      assert.equal(overview.legacyUse.total, 4, 'one use inside the window, three after');
      assert.equal(overview.legacyUse.daysWithUse, 2);
      assert.equal(overview.legacyUse.daysWithoutData, 29, 'days before the stack ran are no data, not zero');
      assert.equal(overview.legacyUse.days[0].uses, null);
      assert.deepEqual(overview.openIncidents.map((i: any) => [i.component, i.reason]), [['gateway', 'drill']]);
      assert.ok(overview.warnings.some((w: string) => /clients still using them: legacy-cli/.test(w)));
      const bot = await token(gateway, 'scanner-bot', { tenant: 'tenant-alpha' });
      assert.equal((await send(`${gateway}/admin/rollout/overview`, 'GET', [['Authorization', `Bearer ${bot}`]])).status, 403, 'rollout:read is required');
    });
  });
});
