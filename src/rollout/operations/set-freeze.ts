/** `freeze` / `unfreeze`: the strict-mode rollout freeze (blocks advance and strict). Idempotent. */
import type { Tx } from '../../db/database.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readRolloutState } from '../state/read-state.ts';
import { RolloutInputError } from './refusal.ts';

export interface FreezeChange {
  frozen: boolean;
  changed: boolean;
  reason: string;
}

/** Inside a caller's transaction (the playbook freezes as one of its steps). */
export async function setFreezeIn(tx: Tx, at: Date, input: { frozen: boolean; reason: string; incidentId?: number } & Actor): Promise<FreezeChange> {
  if (!input.reason?.trim()) throw new RolloutInputError('a reason is required');
  const state = await readRolloutState(tx, true);
  if (state.frozen === input.frozen) return { frozen: state.frozen, changed: false, reason: state.frozenReason ?? input.reason };
  await tx.query('update rollout.state set frozen = $1, frozen_reason = $2, updated_at = $3, updated_by = $4 where id = 1', [input.frozen, input.frozen ? input.reason : null, at, input.actor]);
  await tx.query('insert into rollout.freeze_history (frozen, at, actor, reason, incident_id) values ($1, $2, $3, $4, $5)', [input.frozen, at, input.actor, input.reason, input.incidentId ?? null]);
  await writeAudit(tx, { type: input.frozen ? 'rollout.frozen' : 'rollout.unfrozen', outcome: 'success', actor: input.actor, time: at, properties: { reason: input.reason, incidentId: input.incidentId ?? null } });
  return { frozen: input.frozen, changed: true, reason: input.reason };
}

export async function setFreeze(env: RolloutEnv, input: { frozen: boolean; reason: string } & Actor): Promise<FreezeChange> {
  return env.db.withTransaction((tx) => setFreezeIn(tx, env.clock.now(), input));
}
