/**
 * `signoff`: a person vouches for a manual exit criterion of the current phase — for one of
 * its owner roles when the policy names them (then the role is required and must be one of them).
 */
import { writeAudit } from '../../telemetry/audit.ts';
import type { Signoff } from '../model.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readRolloutState, readSignoffs } from '../state/read-state.ts';
import { canonicalOwner, signoffOwners } from '../gates/owner-signoffs.ts';
import { RolloutInputError } from './refusal.ts';

export async function recordSignoff(env: RolloutEnv, input: { criterion: string; signedBy: string; owner?: string; note?: string } & Actor): Promise<Signoff> {
  if (!input.signedBy?.trim()) throw new RolloutInputError('a sign-off needs the name of who signs');
  const now = env.clock.now();
  return env.db.withTransaction(async (tx) => {
    const state = await readRolloutState(tx);
    const phase = env.policy.phases[state.phase];
    const criterion = phase.exitCriteria.find((c) => c.id === input.criterion);
    if (!criterion) throw new RolloutInputError(`phase ${phase.id} has no exit criterion ${input.criterion} (has: ${phase.exitCriteria.map((c) => c.id).join(', ')})`);
    if (criterion.check.kind !== 'signoff') throw new RolloutInputError(`${input.criterion} is decided by ${criterion.check.kind}, not by a sign-off`);
    const owners = signoffOwners(criterion);
    let owner = '';
    if (owners.length > 0) {
      if (!input.owner?.trim()) throw new RolloutInputError(`${input.criterion} needs a sign-off from each of ${owners.join(', ')}: name the owner role you sign for (--owner)`);
      const found = canonicalOwner(criterion, input.owner);
      if (!found) throw new RolloutInputError(`${input.criterion} has no owner role ${JSON.stringify(input.owner)} (owners: ${owners.join(', ')})`);
      owner = found;
    } else if (input.owner?.trim()) {
      throw new RolloutInputError(`${input.criterion} names no owner roles; sign off without --owner`);
    }
    await tx.query('insert into rollout.signoffs (phase, criterion, signed_by, owner, note, at) values ($1, $2, $3, $4, $5, $6)', [state.phase, input.criterion, input.signedBy, owner, input.note ?? '', now]);
    await writeAudit(tx, { type: 'rollout.signoff', outcome: 'success', actor: input.actor, time: now, properties: { phase: state.phase, criterion: input.criterion, signedBy: input.signedBy, owner, note: input.note ?? '' } });
    return (await readSignoffs(tx, state.phase)).at(-1)!;
  });
}
