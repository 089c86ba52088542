import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePhaseExitGate, type PhaseExitInput } from '../../src/rollout/gates/phase-exit-gate.ts';
import { evaluateStrictGate } from '../../src/rollout/gates/strict-gate.ts';
import type { DeploymentRecord, EvidenceRecord } from '../../src/rollout/model.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import type { EvidenceKind } from '../../src/rollout/policy/schema.ts';
import { legacySignals } from '../../src/telemetry/signals.ts';

const now = new Date('2026-03-10T12:00:00Z');
const zeroLegacy = evaluateStrictGate({ now, strictEarliest: '2026-04-01', zeroLegacyDays: 14, legacySignals, days: [], ignoreEarliest: true });

function dep(id: number, component: string, at: string): DeploymentRecord {
  return { id, component, buildId: `${component}-${id}`, configVersion: null, deployedAt: at, recordedBy: 't', lastKnownGood: false, current: true, revertedAt: null, revertedByIncident: null };
}
function ev(id: number, kind: EvidenceKind, at: string, green = true): EvidenceRecord {
  return { id, kind, name: kind, format: 'junit', sha256: 'x', recordedAt: at, recordedBy: 't', total: 3, failed: green ? 0 : 1, green, cases: [], summary: {}, incidentId: null };
}
function input(over: Partial<PhaseExitInput> & { phase?: number; frozen?: boolean }): PhaseExitInput {
  return {
    now,
    policy: defaultPolicy,
    state: { phase: over.phase ?? 1, frozen: over.frozen ?? false, frozenReason: over.frozen ? 'incident' : null, updatedAt: '', updatedBy: '' },
    deployments: over.deployments ?? [],
    latestEvidence: over.latestEvidence ?? [],
    signoffs: over.signoffs ?? [],
    zeroLegacy: over.zeroLegacy ?? zeroLegacy,
  };
}
const failing = (r: { checks: { id: string; pass: boolean }[] }) => r.checks.filter((c) => !c.pass).map((c) => c.id);

describe('phase exit gate', () => {
  it('phase 0 needs every contract owner and the trackers sign-off', () => {
    assert.deepEqual(failing(evaluatePhaseExitGate(input({ phase: 0 }))), ['contract-accepted', 'trackers-ready']);
    const owners = ['Authority', 'Router', 'Platform', 'Scanner', 'Graph', 'Web'];
    const at = '2026-02-27T00:00:00.000Z';
    const contract = owners.map((owner, i) => ({ id: 10 + i, phase: 0, criterion: 'contract-accepted', signedBy: `${owner} owner`, owner, note: '', at }));
    const trackers = { id: 2, phase: 0, criterion: 'trackers-ready', signedBy: 'qa', owner: '', note: '', at };
    // One sign-off from anyone is not enough: five owners are still missing.
    const partial = evaluatePhaseExitGate(input({ phase: 0, signoffs: [contract[0], trackers] }));
    assert.deepEqual(failing(partial), ['contract-accepted']);
    assert.match(partial.checks.find((c) => c.id === 'contract-accepted')!.detail, /signed: Authority \(Authority owner\); missing: Router, Platform, Scanner, Graph, Web/);
    const ownerless = evaluatePhaseExitGate(input({ phase: 0, signoffs: [{ ...contract[0], owner: '' }, trackers] }));
    assert.deepEqual(failing(ownerless), ['contract-accepted'], 'a sign-off without an owner role does not count for an owned criterion');
    const signoffs = [...contract, trackers];
    const r = evaluatePhaseExitGate(input({ phase: 0, signoffs }));
    assert.equal(r.pass, true);
    assert.equal(r.nextPhase, 1);
    // A sign-off for another phase does not count.
    assert.equal(evaluatePhaseExitGate(input({ phase: 0, signoffs: signoffs.map((s) => ({ ...s, phase: 3 })) })).pass, false);
  });

  const phase1Deploys = [dep(1, 'authority', '2026-03-01T10:00:00.000Z'), dep(2, 'gateway', '2026-03-02T10:00:00.000Z')];
  const phase1Evidence = [ev(1, 'authority', '2026-03-03T00:00:00.000Z'), ev(2, 'gateway', '2026-03-03T00:00:00.000Z')];

  it('phase 1 passes with Authority then gateway deployed and green evidence after both', () => {
    const r = evaluatePhaseExitGate(input({ deployments: phase1Deploys, latestEvidence: phase1Evidence }));
    assert.equal(r.pass, true, JSON.stringify(r.checks));
  });

  it('phase 1 refuses a gateway deployed before the Authority', () => {
    const r = evaluatePhaseExitGate(input({ deployments: [dep(1, 'authority', '2026-03-02T10:00:00.000Z'), dep(2, 'gateway', '2026-03-01T10:00:00.000Z')], latestEvidence: phase1Evidence }));
    assert.deepEqual(failing(r), ['authority-then-gateway-deployed']);
    assert.match(r.checks.find((c) => c.id === 'authority-then-gateway-deployed')!.detail, /gateway .* was deployed before authority/);
  });

  it('evidence older than the deploy, red evidence and missing evidence each fail with a reason', () => {
    const stale = evaluatePhaseExitGate(input({ deployments: phase1Deploys, latestEvidence: [ev(1, 'authority', '2026-02-28T00:00:00.000Z'), phase1Evidence[1]] }));
    assert.deepEqual(failing(stale), ['issuance-deterministic', 'targeted-tests-ci']);
    assert.match(stale.checks.find((c) => c.id === 'issuance-deterministic')!.detail, /predates the deploy/);
    const red = evaluatePhaseExitGate(input({ deployments: phase1Deploys, latestEvidence: [phase1Evidence[0], ev(2, 'gateway', '2026-03-03T00:00:00.000Z', false)] }));
    assert.deepEqual(failing(red), ['gateway-strips-and-rewrites', 'targeted-tests-ci']);
    assert.match(red.checks.find((c) => c.id === 'gateway-strips-and-rewrites')!.detail, /red \(1 of 3 failed\)/);
    const none = evaluatePhaseExitGate(input({ deployments: phase1Deploys }));
    assert.match(none.checks.find((c) => c.id === 'issuance-deterministic')!.detail, /authority: no evidence/);
  });

  it('a frozen rollout fails the gate even when every criterion holds', () => {
    const r = evaluatePhaseExitGate(input({ frozen: true, deployments: phase1Deploys, latestEvidence: phase1Evidence }));
    assert.deepEqual(failing(r), ['not-frozen']);
  });

  it('phase 3 cannot exit before phase 4\'s earliest start', () => {
    const deployments = [dep(5, 'web', '2026-03-18T00:00:00.000Z')];
    const latestEvidence = [ev(7, 'web', '2026-03-19T00:00:00.000Z'), ev(8, 'telemetry-review', '2026-03-20T00:00:00.000Z')];
    const signoffs = [{ id: 1, phase: 3, criterion: 'ui-evidence-complete', signedBy: 'qa', owner: '', note: '', at: '2026-03-20T00:00:00.000Z' }];
    const r = evaluatePhaseExitGate(input({ phase: 3, deployments, latestEvidence, signoffs, now: new Date('2026-03-25T00:00:00Z') } as any));
    assert.deepEqual(failing({ checks: r.checks }), ['next-phase-earliest-start']);
    const later = evaluatePhaseExitGate({ ...input({ phase: 3, deployments, latestEvidence, signoffs }), now: new Date('2026-04-01T00:00:00Z') });
    assert.equal(later.pass, true);
  });

  it('phase 4 is the last phase and needs the zero-legacy days', () => {
    const r = evaluatePhaseExitGate({ ...input({ phase: 4 }), now: new Date('2026-04-20T00:00:00Z') });
    assert.deepEqual(failing(r), ['next-phase-exists', 'zero-legacy-14-days', 'no-override-dependencies']);
    assert.match(r.checks.find((c) => c.id === 'zero-legacy-14-days')!.detail, /first failing day .*: no data/);
  });
});
