/** `signoff`: a person vouches for a manual exit criterion of the current phase. */
import { writeAudit } from '../../telemetry/audit.ts';
import type { Signoff } from '../model.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readRolloutState, readSignoffs } from '../state/read-state.ts';
import { RolloutInputError } from './refusal.ts';

export async function recordSignoff(env: RolloutEnv, input: { criterion: string; signedBy: string; note?: string } & Actor): Promise<Signoff> {
  if (!input.signedBy?.trim()) throw new RolloutInputError('a sign-off needs the name of who signs');
  const now = env.clock.now();
  return env.db.withTransaction(async (tx) => {
    const state = await readRolloutState(tx);
    const phase = env.policy.phases[state.phase];
    const criterion = phase.exitCriteria.find((c) => c.id === input.criterion);
    if (!criterion) throw new RolloutInputError(`phase ${phase.id} has no exit criterion ${input.criterion} (has: ${phase.exitCriteria.map((c) => c.id).join(', ')})`);
    if (criterion.check.kind !== 'signoff') throw new RolloutInputError(`${input.criterion} is decided by ${criterion.check.kind}, not by a sign-off`);
    await tx.query('insert into rollout.signoffs (phase, criterion, signed_by, note, at) values ($1, $2, $3, $4, $5)', [state.phase, input.criterion, input.signedBy, input.note ?? '', now]);
    await writeAudit(tx, { type: 'rollout.signoff', outcome: 'success', actor: input.actor, time: now, properties: { phase: state.phase, criterion: input.criterion, signedBy: input.signedBy, note: input.note ?? '' } });
    return (await readSignoffs(tx, state.phase)).at(-1)!;
  });
}
