import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { defaultPolicy, defaultPolicyInput } from '../../src/rollout/policy/default.ts';
import { parsePolicy, PolicyError, readPolicyFile } from '../../src/rollout/policy/load.ts';
import { legacySignals } from '../../src/telemetry/signals.ts';

describe('rollout policy document', () => {
  it('the built-in default reproduces the seed: five phases with their windows and deploy order', () => {
    const p = defaultPolicy;
    assert.deepEqual(
      p.phases.map((ph) => [ph.id, ph.window.start, ph.window.end ?? null, ph.earliestStart]),
      [
        [0, '2026-02-22', '2026-02-28', false],
        [1, '2026-03-01', '2026-03-07', false],
        [2, '2026-03-08', '2026-03-17', false],
        [3, '2026-03-18', '2026-03-24', false],
        [4, '2026-04-01', null, true],
      ],
    );
    assert.deepEqual(p.phases[1].deployOrder.filter((s) => s.component).map((s) => [s.component, s.ref]), [
      ['authority', '20260222.054'],
      ['gateway', '20260222.055'],
    ]);
    assert.deepEqual(p.phases[2].deployOrder.map((s) => [s.component, s.ref]), [
      ['platform', '20260222.056'],
      ['scanner', '20260222.057'],
      ['graph', '20260222.058'],
    ]);
    assert.equal(p.compatibility.legacyAliasesUntil, '2026-03-31');
    assert.equal(p.compatibility.strictEarliest, '2026-04-01');
    assert.equal(p.compatibility.zeroLegacyDays, 14);
    assert.deepEqual(p.strictRollout.order, ['new-clients', 'all']);
    assert.equal(p.profile.canonicalTenantHeader, 'X-StellaOps-Tenant');
    assert.deepEqual(p.profile.legacyTenantHeaders, ['X-Stella-Tenant', 'X-Tenant-Id']);
    assert.equal(p.checklist.length, 6);
    for (const ph of p.phases) {
      assert.ok(ph.exitCriteria.length >= 2 || ph.id === 3, `phase ${ph.id} exit criteria`);
      assert.ok(ph.rollbackCriteria.length >= 1);
    }
    assert.deepEqual(p.revertHook.command, ['./scripts/revert.sh', '{module}', '{build}']);
    assert.ok(p.monitors.some((m) => m.autoRollback) && p.monitors.some((m) => !m.autoRollback));
    assert.ok(legacySignals.length >= 4);
  });

  it('round-trips through YAML and JSON files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    try {
      writeFileSync(join(dir, 'p.yaml'), stringify(defaultPolicyInput));
      writeFileSync(join(dir, 'p.json'), JSON.stringify(defaultPolicyInput));
      assert.deepEqual(readPolicyFile(join(dir, 'p.yaml')), defaultPolicy);
      assert.deepEqual(readPolicyFile(join(dir, 'p.json')), defaultPolicy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dates, N and names are data: a file changes them', () => {
    const p = parsePolicy(JSON.stringify({ ...defaultPolicyInput, compatibility: { legacyAliasesUntil: '2026-05-31', strictEarliest: '2026-06-01', zeroLegacyDays: 7 } }));
    assert.equal(p.compatibility.zeroLegacyDays, 7);
    assert.equal(p.compatibility.strictEarliest, '2026-06-01');
  });

  it('rejects a broken policy with the path and the rule', () => {
    const bad = structuredClone(defaultPolicyInput) as any;
    bad.compatibility.strictEarliest = '2026-03-15';
    bad.phases[2].window.start = '2026-03-05';
    bad.phases[1].rollbackCriteria[0].monitors = ['nope'];
    bad.compatibility.zeroLegacyDays = 0;
    assert.throws(
      () => parsePolicy(JSON.stringify(bad), 'bad.json'),
      (err: unknown) => {
        assert.ok(err instanceof PolicyError);
        assert.match(err.message, /bad\.json: invalid rollout policy/);
        assert.match(err.message, /compatibility\.strictEarliest: strict mode must start after the legacy alias window ends/);
        assert.match(err.message, /phases\.2\.window\.start: overlaps phase 1/);
        assert.match(err.message, /phases\.1\.rollbackCriteria\.0\.monitors\.0: unknown monitor nope/);
        assert.match(err.message, /compatibility\.zeroLegacyDays/);
        return true;
      },
    );
    assert.throws(() => parsePolicy('version: 1\nphases: [', 'x.yaml'), /not YAML or JSON/);
    assert.throws(() => parsePolicy(JSON.stringify({ ...defaultPolicyInput, date: '2026-02-30' })), /date: not a calendar day/);
  });
});
