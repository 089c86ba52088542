/** `advance`: moves to the next phase only while the exit gate passes and the rollout is not frozen. */
import { writeAudit } from '../../telemetry/audit.ts';
import type { PhaseExitResult } from '../gates/phase-exit-gate.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { phaseExitGate } from './evaluate-gates.ts';
import { RolloutRefusal } from './refusal.ts';

export interface AdvanceResult {
  from: number;
  to: number;
  gate: PhaseExitResult;
}

export async function advancePhase(env: RolloutEnv, input: { reason: string } & Actor): Promise<AdvanceResult> {
  const now = env.clock.now();
  // A refusal is committed (its audit event must survive), then thrown.
  const outcome = await env.db.withTransaction(async (tx): Promise<AdvanceResult | RolloutRefusal> => {
    const gate = await phaseExitGate(tx, env.policy, now, true);
    if (!gate.pass || gate.nextPhase === null) {
      const failing = gate.checks.filter((c) => !c.pass);
      await writeAudit(tx, { type: 'rollout.advance.refused', outcome: 'denied', actor: input.actor, time: now, properties: { phase: gate.phase, failing: failing.map((c) => ({ id: c.id, detail: c.detail })) } });
      return new RolloutRefusal(`advance from phase ${gate.phase} refused: ${failing.map((c) => c.id).join(', ')}`, gate.checks);
    }
    await tx.query('update rollout.state set phase = $1, updated_at = $2, updated_by = $3 where id = 1', [gate.nextPhase, now, input.actor]);
    await tx.query('insert into rollout.phase_history (from_phase, to_phase, at, actor, reason, gate) values ($1, $2, $3, $4, $5, $6)', [
      gate.phase,
      gate.nextPhase,
      now,
      input.actor,
      input.reason,
      JSON.stringify(gate.checks),
    ]);
    await writeAudit(tx, { type: 'rollout.advanced', outcome: 'success', actor: input.actor, time: now, properties: { from: gate.phase, to: gate.nextPhase, reason: input.reason } });
    return { from: gate.phase, to: gate.nextPhase, gate };
  });
  if (outcome instanceof RolloutRefusal) throw outcome;
  return outcome;
}
