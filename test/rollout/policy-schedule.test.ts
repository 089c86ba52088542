/**
 * A schedule of one's own: `rollout policy init --start` moves every date of the built-in
 * policy together (spacings kept), refuses to overwrite and bad days; a policy whose dates
 * have all passed is named stale with the command that fixes it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { addUtcDays } from '../../src/rollout/gates/utc-days.ts';
import { defaultPolicy, defaultPolicyInput } from '../../src/rollout/policy/default.ts';
import { readPolicyFile } from '../../src/rollout/policy/load.ts';
import { policyDates, shiftPolicy, staleScheduleWarning } from '../../src/rollout/policy/schedule.ts';
import { policySchema } from '../../src/rollout/policy/schema.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase } from '../support/database.ts';
import { TEST_RUNTIME_PASSWORD } from '../support/env.ts';

const dayDiff = (a: string, b: string) => (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;

describe('rollout policy init and the stale-schedule warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-init-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shiftPolicy moves phase 0 to the start day and keeps every spacing', () => {
    const shifted = policySchema.parse(shiftPolicy(defaultPolicyInput, '2027-01-04'));
    assert.equal(shifted.phases[0].window.start, '2027-01-04');
    const before = policyDates(defaultPolicy);
    const after = policyDates(shifted);
    assert.deepEqual(after.map((d) => d.path), before.map((d) => d.path));
    const origin = before[1].day;
    for (let i = 0; i < before.length; i++) assert.equal(dayDiff('2027-01-04', after[i].day), dayDiff(origin, before[i].day), `${before[i].path} keeps its distance from phase 0`);
    assert.equal(shifted.compatibility.legacyAliasesUntil, '2027-02-10');
    assert.equal(shifted.compatibility.strictEarliest, '2027-02-11');
    assert.equal(shifted.compatibility.zeroLegacyDays, 14);
    assert.equal(dayDiff(shifted.phases[2].window.start, shifted.phases[2].window.end!), 9);
  });

  it('staleScheduleWarning: all dates past and not in the last phase → names the init command', () => {
    const w = staleScheduleWarning(defaultPolicy, 1, '2026-12-01');
    assert.ok(w);
    assert.match(w, /every date of policy multi-tenant-same-key-rollout has passed \(the latest, 2026-04-01, 244 days ago\) while the rollout is in phase 1/);
    assert.match(w, /tenantgate rollout policy init --start YYYY-MM-DD --out FILE/);
    assert.equal(staleScheduleWarning(defaultPolicy, 4, '2026-12-01'), null, 'the last phase is not behind a schedule');
    assert.equal(staleScheduleWarning(defaultPolicy, 1, '2026-04-01'), null, 'a date still ahead (today counts)');
    assert.match(staleScheduleWarning(defaultPolicy, null, '2026-12-01')!, /a rollout before phase 4 needs dates of its own/);
  });

  it('the CLI writes a valid policy starting that day, refuses an existing file without --force and bad days', async () => {
    const file = join(dir, 'policy.yaml');
    const start = addUtcDays(new Date().toISOString().slice(0, 10), 3);
    const r = await runCli(['rollout', 'policy', 'init', '--start', start, '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`wrote .*policy\\.yaml: policy multi-tenant-same-key-rollout, phase 0 starts ${start}`));
    const p = readPolicyFile(file);
    assert.equal(p.phases[0].window.start, start);
    assert.equal(p.phases[4].window.start, addUtcDays(start, 38));
    assert.equal(p.compatibility.legacyAliasesUntil, addUtcDays(start, 37));

    const validated = await runCli(['rollout', 'policy', 'validate', file]);
    assert.equal(validated.code, 0);
    assert.doesNotMatch(validated.stdout, /WARNING/, 'a fresh schedule is not stale');

    writeFileSync(file, 'keep me');
    const refused = await runCli(['rollout', 'policy', 'init', '--start', start, '--out', file]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /policy\.yaml exists; pass --force to overwrite it/);
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
    const forced = await runCli(['rollout', 'policy', 'init', '--start', start, '--out', file, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readPolicyFile(file).phases[0].window.start, start);

    for (const bad of ['2027-02-30', '01/02/2027', 'tomorrow']) {
      const res = await runCli(['rollout', 'policy', 'init', '--start', bad, '--out', join(dir, 'x.yaml')]);
      assert.equal(res.code, 1, bad);
      assert.match(res.stderr, /--start .* is not a calendar day; expected YYYY-MM-DD/);
    }

    const json = join(dir, 'policy.json');
    assert.equal((await runCli(['rollout', 'policy', 'init', '--start', '2027-03-01', '--out', json])).code, 0);
    assert.equal(JSON.parse(readFileSync(json, 'utf8')).phases[0].window.start, '2027-03-01');
  });

  it('policy validate warns about a policy whose dates have all passed, naming the command', async () => {
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify(defaultPolicyInput));
    const r = await runCli(['rollout', 'policy', 'validate', file]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /WARNING {2}every date of policy multi-tenant-same-key-rollout has passed .*tenantgate rollout policy init --start YYYY-MM-DD --out FILE/);
  });

  it('rollout status: the built-in policy is stale and its window closed; an init-ed schedule is neither', async () => {
    const t = await createTestDatabase();
    try {
      const config = (policyFile?: string) => {
        const file = join(dir, `config-${policyFile ? 'own' : 'builtin'}.json`);
        writeFileSync(
          file,
          JSON.stringify({
            server: { logLevel: 'silent' },
            database: { url: t.adminUrl, runtimeUrl: t.runtimeUrl, runtimePassword: TEST_RUNTIME_PASSWORD, dataDir: join(t.stateDir, 'pg') },
            secrets: { keyEncryptionKey: t.keyEncryptionKey },
            ...(policyFile ? { rollout: { policyFile } } : {}),
          }),
        );
        return file;
      };
      const today = new Date().toISOString().slice(0, 10);
      const builtin = await runCli(['-c', config(), 'rollout', 'status']);
      assert.equal(builtin.code, 0, builtin.stderr);
      assert.match(builtin.stdout, /^WARNING {2}every date of policy multi-tenant-same-key-rollout has passed .* while the rollout is in phase 0; write a schedule of your own with `tenantgate rollout policy init --start YYYY-MM-DD --out FILE`/m);
      assert.match(builtin.stdout, /^window {3}CLOSED \d+ day\(s\) ago \(aliases supported through 2026-03-31\); at the end: keep$/m);
      const json = JSON.parse((await runCli(['-c', config(), 'rollout', 'status', '--json'])).stdout);
      assert.equal(json.legacyWindow.closed, true);
      assert.equal(json.legacyWindow.until, '2026-03-31');
      assert.deepEqual(json.legacyWindow.pastWindowUse, []);

      const own = join(dir, 'own.yaml');
      assert.equal((await runCli(['rollout', 'policy', 'init', '--start', today, '--out', own])).code, 0);
      const fresh = await runCli(['-c', config(own), 'rollout', 'status']);
      assert.equal(fresh.code, 0, fresh.stderr);
      assert.doesNotMatch(fresh.stdout, /WARNING/);
      assert.match(fresh.stdout, new RegExp(`^phase {4}0 — Contract and feature flags \\(${today} → ${addUtcDays(today, 6)}\\)$`, 'm'));
      assert.match(fresh.stdout, new RegExp(`^window {3}open, 38 day\\(s\\) left \\(aliases supported through ${addUtcDays(today, 37)}\\); at the end: keep$`, 'm'));
    } finally {
      await t.drop();
    }
  });
});
