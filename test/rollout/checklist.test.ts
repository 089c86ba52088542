import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateChecklist } from '../../src/rollout/checklist/evaluate-checklist.ts';
import { renderChecklist } from '../../src/rollout/checklist/render-checklist.ts';
import type { EvidenceRecord } from '../../src/rollout/model.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';

const ev = (id: number, kind: any, cases: string[], extra: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
  id,
  kind,
  name: `${kind}.xml`,
  format: 'junit',
  sha256: `sha-${id}`,
  recordedAt: '2026-03-30T00:00:00.000Z',
  recordedBy: 'ci',
  total: cases.length,
  failed: 0,
  green: true,
  cases: cases.map((name) => ({ name, status: 'passed' as const })),
  summary: {},
  incidentId: null,
  ...extra,
});

const allGreen = [
  ev(1, 'authority', ['issues a token for the selected tenant']),
  ev(2, 'staging', ['strips spoofed headers', 'tenant mismatch → 403']),
  ev(3, 'matrix', ['P1 platform preferences']),
  ev(4, 'web', ['desktop › selector switches', 'mobile › selector switches']),
  ev(5, 'telemetry-review', ['legacy use up to 2026-03-29'], { summary: { reviewer: 'Dana QA', cutoff: '2026-03-29', legacyTotal: 0 } }),
];

describe('readiness checklist', () => {
  it('six items; evidence items green from recorded evidence; decision red until recorded', () => {
    const r = evaluateChecklist(defaultPolicy, allGreen, null);
    assert.deepEqual(
      r.items.map((i) => [i.id, i.status]),
      [
        ['authority-tests', 'green'],
        ['gateway-staging', 'green'],
        ['module-isolation', 'green'],
        ['web-matrix', 'green'],
        ['telemetry-review', 'green'],
        ['go-no-go', 'red'],
      ],
    );
    assert.deepEqual(r.red, []);
  });

  it('missing, red and incomplete evidence are red with a reason', () => {
    const r = evaluateChecklist(defaultPolicy, [ev(1, 'authority', ['a'], { green: false, failed: 1 }), ev(4, 'web', ['desktop › x'])], null);
    assert.deepEqual(r.red, ['authority-tests', 'gateway-staging', 'module-isolation', 'web-matrix', 'telemetry-review']);
    assert.match(r.items[0].reason, /red \(1 of 1 failed\)/);
    assert.match(r.items[3].reason, /no passing case covering mobile/);
    assert.match(r.items[4].reason, /no telemetry review/);
  });

  it('the decision item is green only for a decision made on the current evidence', () => {
    const first = evaluateChecklist(defaultPolicy, allGreen, null);
    const decision = { id: 1, decision: 'go' as const, qa: 'Dana', pm: 'Sam', note: '', checklistSha256: first.evidenceSha256, forced: false, forceReason: null, decidedAt: '2026-03-31T00:00:00.000Z', decidedBy: 'ops' };
    assert.equal(evaluateChecklist(defaultPolicy, allGreen, decision).items[5].status, 'green');
    const changed = [...allGreen.slice(0, 4), ev(6, 'telemetry-review', ['x'], { summary: { reviewer: 'Dana', cutoff: '2026-03-30', legacyTotal: 0 } })];
    assert.equal(evaluateChecklist(defaultPolicy, changed, decision).items[5].status, 'red');
  });

  it('same evidence → the same bytes and hashes, whatever the input order', () => {
    const a = renderChecklist(evaluateChecklist(defaultPolicy, allGreen, null));
    const b = renderChecklist(evaluateChecklist(defaultPolicy, [...allGreen].reverse(), null));
    assert.equal(a.json, b.json);
    assert.equal(a.markdown, b.markdown);
    assert.equal(a.jsonSha256, b.jsonSha256);
    assert.match(a.markdown, /\| 6 \| go\/no-go decision documented by QA and the project manager \| RED \|/);
    const other = renderChecklist(evaluateChecklist(defaultPolicy, allGreen.slice(1), null));
    assert.notEqual(other.jsonSha256, a.jsonSha256);
  });

  it('each item names the exact evidence that satisfied it, or what is missing — never green over "no evidence"', () => {
    const r = evaluateChecklist(defaultPolicy, allGreen, null);
    for (const item of r.items.filter((i) => i.status === 'green')) {
      assert.doesNotMatch(item.reason, /no evidence/, item.id);
      assert.match(item.reason, /^satisfied by /, item.id);
      assert.ok(item.evidence.length > 0, `${item.id} lists its evidence`);
    }
    // module-isolation takes modules or matrix: only the matrix run is recorded, so only it is named.
    const modules = r.items.find((i) => i.id === 'module-isolation')!;
    assert.equal(modules.reason, 'satisfied by matrix #3 `matrix.xml` (sha256 sha-3) green (1/1)');
    assert.deepEqual(modules.evidence.map((e) => e.id), [3]);
    assert.match(r.items.find((i) => i.id === 'telemetry-review')!.reason, /^satisfied by telemetry-review #5 `telemetry-review.xml` \(sha256 sha-5\): reviewed by Dana QA, cutoff 2026-03-29$/);

    const none = evaluateChecklist(defaultPolicy, [], null);
    assert.equal(none.items.find((i) => i.id === 'module-isolation')!.reason, 'missing (any one of modules, matrix would do): modules: no evidence recorded; matrix: no evidence recorded');
    assert.equal(none.items.find((i) => i.id === 'authority-tests')!.reason, 'missing: authority: no evidence recorded');
  });
});
