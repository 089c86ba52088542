/**
 * `strict enable new-clients|all`: sets `gateway.strictMode` only while the strict gate
 * passes, the rollout is not frozen and new clients went first. `force` (with a reason)
 * overrides the gate and the order — never the freeze — and is audited as forced.
 */
import { setFlagsIn } from '../../flags/store.ts';
import { readFlagSnapshot } from '../../flags/store.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import type { GateCheck } from '../gates/gate-result.ts';
import type { StrictGateResult } from '../gates/strict-gate.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readRolloutState } from '../state/read-state.ts';
import { strictGate } from './evaluate-gates.ts';
import { RolloutInputError, RolloutRefusal } from './refusal.ts';

export type StrictTarget = 'new-clients' | 'all';

export interface StrictResult {
  mode: StrictTarget;
  previous: string;
  changed: boolean;
  forced: boolean;
  gate: StrictGateResult;
}

export async function enableStrict(env: RolloutEnv, input: { mode: string; reason: string; force?: boolean } & Actor): Promise<StrictResult> {
  if (input.mode !== 'new-clients' && input.mode !== 'all') throw new RolloutInputError(`strict mode must be new-clients or all, not ${JSON.stringify(input.mode)}`);
  if (!input.reason?.trim()) throw new RolloutInputError('a reason is required');
  const mode = input.mode as StrictTarget;
  const now = env.clock.now();
  // A refusal is committed (its audit event must survive), then thrown.
  const outcome = await env.db.withTransaction(async (tx): Promise<StrictResult | RolloutRefusal> => {
    const state = await readRolloutState(tx, true);
    const gate = await strictGate(tx, env.policy, now);
    const previous = String((await readFlagSnapshot(tx as any)).values['gateway.strictMode']);
    const order = env.policy.strictRollout.order;
    const extra: GateCheck[] = [
      { id: 'not-frozen', description: 'the strict-mode rollout is not frozen', pass: !state.frozen, detail: state.frozen ? `frozen: ${state.frozenReason}` : 'not frozen' },
      {
        id: 'new-clients-first',
        description: `strict mode goes ${order.join(' → ')}`,
        pass: order.indexOf(mode) === 0 || previous === order[order.indexOf(mode) - 1] || previous === mode,
        detail: `gateway.strictMode is ${previous}`,
      },
    ];
    const checks = [...extra, ...gate.checks];
    const failing = checks.filter((c) => !c.pass);
    const forced = failing.length > 0 && !!input.force && state.frozen === false;
    if (failing.length > 0 && !forced) {
      await writeAudit(tx, { type: 'rollout.strict.refused', outcome: 'denied', actor: input.actor, time: now, properties: { mode, failing: failing.map((c) => ({ id: c.id, detail: c.detail })) } });
      const why = state.frozen && input.force ? ' (force does not override a freeze; unfreeze first)' : '';
      return new RolloutRefusal(`strict mode ${mode} refused: ${failing.map((c) => c.id).join(', ')}${why}`, checks);
    }
    const [change] = await setFlagsIn(tx, [{ name: 'gateway.strictMode', value: mode }], { actor: input.actor, reason: forced ? `FORCED: ${input.reason}` : input.reason });
    await writeAudit(tx, {
      type: forced ? 'rollout.strict.forced' : 'rollout.strict.enabled',
      outcome: 'success',
      actor: input.actor,
      time: now,
      properties: { mode, previous, reason: input.reason, forced, overridden: failing.map((c) => ({ id: c.id, detail: c.detail })) },
    });
    return { mode, previous, changed: change.changed, forced, gate };
  });
  if (outcome instanceof RolloutRefusal) throw outcome;
  return outcome;
}
