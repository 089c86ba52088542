/**
 * The phase exit gate (ROLLOUT.md §4), pure: every exit criterion of the current phase
 * holds — evidence after the deploys it must cover, deploy order, sign-offs, the
 * zero-legacy day rule — and the rollout is not frozen. Also says whether the next phase's
 * earliest start has come.
 */
import { utcDay } from '../../telemetry/clock.ts';
import type { DeploymentRecord, EvidenceRecord, RolloutState, Signoff } from '../model.ts';
import type { ExitCriterion, RolloutPolicy } from '../policy/schema.ts';
import { gateFrom, type GateCheck, type GateResult } from './gate-result.ts';
import { describeProgress, signoffProgress } from './owner-signoffs.ts';
import type { StrictGateResult } from './strict-gate.ts';

export interface PhaseExitInput {
  now: Date;
  policy: RolloutPolicy;
  state: RolloutState;
  /** Current deployment record per component. */
  deployments: readonly DeploymentRecord[];
  /** The newest evidence record of each kind. */
  latestEvidence: readonly EvidenceRecord[];
  signoffs: readonly Signoff[];
  /** The strict gate evaluated with `ignoreEarliest` (for `zero-legacy-days` criteria). */
  zeroLegacy: StrictGateResult;
}

export interface PhaseExitResult extends GateResult {
  phase: number;
  nextPhase: number | null;
}

export function evaluatePhaseExitGate(input: PhaseExitInput): PhaseExitResult {
  const { policy, state } = input;
  const phase = policy.phases[state.phase];
  const next = policy.phases[state.phase + 1] ?? null;
  const checks: GateCheck[] = [];
  checks.push({
    id: 'not-frozen',
    description: 'the rollout is not frozen',
    pass: !state.frozen,
    detail: state.frozen ? `frozen: ${state.frozenReason ?? 'no reason recorded'}` : 'not frozen',
  });
  checks.push({
    id: 'next-phase-exists',
    description: 'there is a phase after the current one',
    pass: next !== null,
    detail: next ? `next: phase ${next.id} (${next.name})` : `phase ${state.phase} is the last phase`,
  });
  if (next?.earliestStart) {
    const today = utcDay(input.now);
    checks.push({
      id: 'next-phase-earliest-start',
      description: `phase ${next.id} starts no earlier than ${next.window.start}`,
      pass: today >= next.window.start,
      detail: `today is ${today}`,
    });
  }
  for (const criterion of phase.exitCriteria) checks.push(checkCriterion(criterion, input));
  return { ...gateFrom(checks), phase: state.phase, nextPhase: next?.id ?? null };
}

function checkCriterion(criterion: ExitCriterion, input: PhaseExitInput): GateCheck {
  const base = { id: criterion.id, description: criterion.description };
  const current = new Map(input.deployments.filter((d) => d.current).map((d) => [d.component, d]));
  const check = criterion.check;
  switch (check.kind) {
    case 'signoff': {
      const progress = signoffProgress(criterion, input.state.phase, input.signoffs);
      return { ...base, pass: progress.complete, detail: describeProgress(progress) };
    }
    case 'deployed': {
      const missing = check.components.filter((c) => !current.has(c));
      if (missing.length) return { ...base, pass: false, detail: `no deployment record for ${missing.join(', ')}` };
      for (let i = 1; i < check.components.length; i++) {
        const before = current.get(check.components[i - 1])!;
        const after = current.get(check.components[i])!;
        if (after.deployedAt < before.deployedAt) {
          return { ...base, pass: false, detail: `${check.components[i]} (${after.deployedAt}) was deployed before ${check.components[i - 1]} (${before.deployedAt})` };
        }
      }
      return { ...base, pass: true, detail: check.components.map((c) => `${c} ${current.get(c)!.buildId}`).join(' → ') };
    }
    case 'evidence': {
      const missingDeploys = check.afterDeployOf.filter((c) => !current.has(c));
      if (missingDeploys.length) return { ...base, pass: false, detail: `no deployment record for ${missingDeploys.join(', ')}` };
      const since = check.afterDeployOf.map((c) => current.get(c)!.deployedAt).sort().at(-1) ?? null;
      const verdicts = check.evidenceKinds.map((kind) => {
        const e = input.latestEvidence.find((x) => x.kind === kind);
        if (!e) return { kind, pass: false, text: `${kind}: no evidence` };
        if (since && e.recordedAt < since) return { kind, pass: false, text: `${kind}: latest evidence #${e.id} (${e.recordedAt}) predates the deploy at ${since}` };
        if (!e.green) return { kind, pass: false, text: `${kind}: evidence #${e.id} is red (${e.failed} of ${e.total} failed)` };
        return { kind, pass: true, text: `${kind}: evidence #${e.id} green (${e.total} passed)` };
      });
      const pass = check.match === 'all' ? verdicts.every((v) => v.pass) : verdicts.some((v) => v.pass);
      return { ...base, pass, detail: verdicts.map((v) => v.text).join('; ') };
    }
    case 'zero-legacy-days': {
      const z = input.zeroLegacy;
      const first = z.firstFailingDay;
      return {
        ...base,
        pass: z.pass,
        detail: z.pass ? `${z.window.from}..${z.window.to} clean` : `first failing day ${first?.day}: ${first?.status}${first?.status === 'legacy use' ? ` — ${first.seen}` : ''}`,
      };
    }
  }
}
