/**
 * The rollback playbook (ROLLOUT.md §5) for ONE component: (1) compatibility flags back on,
 * (2) strict rollout frozen, (3) the component's last deployment batch reverted to its
 * last-known-good record through the revert hook, (4) the acceptance matrix re-run with its
 * evidence attached. Each step lands on the incident timeline as it happens. A second run
 * finds every step in place, changes nothing and says so. Other components' flags and
 * deployment records are never touched, and the token model (one selected tenant per token)
 * is not a flag: nothing here can change it.
 */
import { writeAudit } from '../../telemetry/audit.ts';
import { assertComponent } from '../components.ts';
import { RolloutInputError } from '../operations/refusal.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readIncidents } from '../state/read-state.ts';
import type { Incident } from '../model.ts';
import { appendIncidentEvent, findOpenIncident, openIncident } from './incident-log.ts';
import { withLease, type Lease, type LeaseOptions } from './lease.ts';
import {
  freezeStrictRollout,
  rerunAcceptanceMatrix,
  restoreCompatibilityFlags,
  revertToLastKnownGood,
  type PlaybookStep,
  type StepEvent,
  type StepRun,
} from './rollback-steps.ts';

export type { PlaybookStep, StepOutcome } from './rollback-steps.ts';

export interface PlaybookResult {
  incidentId: number;
  component: string;
  /** True when every step was already in place: nothing changed. */
  noop: boolean;
  steps: PlaybookStep[];
  incident: Incident;
}

/** One playbook at a time: two operators (or a monitor and an operator) must not interleave steps. */
const PLAYBOOK_LEASE = 'rollback-playbook';

export async function runRollback(
  env: RolloutEnv,
  input: { component: string; reason: string; trigger?: string } & Actor,
  leaseOptions: LeaseOptions = {},
): Promise<PlaybookResult> {
  const component = assertComponent(env, input.component);
  if (!input.reason?.trim()) throw new RolloutInputError('a rollback needs a reason');
  // A second run waits for the first, then finds every step in place (a no-op).
  return withLease(env.db, PLAYBOOK_LEASE, leaseOptions, (lease) => runSteps(env, component, input, lease));
}

async function runSteps(env: RolloutEnv, component: string, input: { reason: string; trigger?: string } & Actor, lease: Lease): Promise<PlaybookResult> {
  const now = () => env.clock.now();
  const existing = await findOpenIncident(env.db, component);
  const steps: PlaybookStep[] = [];
  let created = false;
  const incidentId =
    existing ??
    (await env.db.withTransaction(async (tx) => {
      created = true;
      const id = await openIncident(tx, now(), { component, reason: input.reason, trigger: input.trigger ?? 'manual', actor: input.actor });
      await appendIncidentEvent(tx, id, now(), { step: 'opened', outcome: 'info', detail: `rollback of ${component} requested by ${input.actor}: ${input.reason}` });
      return id;
    }));
  // Steps already in place are held back until something changes, so a run that finds
  // everything done leaves the timeline as it was; real changes are written as they happen.
  let pending: StepEvent[] = [];
  const record = async (e: StepEvent) => {
    steps.push({ step: e.step, outcome: e.outcome, detail: e.detail });
    pending.push(e);
    if (e.outcome !== 'unchanged' || created) {
      for (const p of pending) await appendIncidentEvent(env.db, incidentId, now(), p);
      pending = [];
    }
  };

  const run: StepRun = { env, component, incidentId, reason: input.reason, actor: input.actor };
  // Before each step acts (a step that already acted is still recorded): stop once the lease may be someone else's.
  lease.assertHeld();
  await record(await restoreCompatibilityFlags(run));
  lease.assertHeld();
  await record(await freezeStrictRollout(run));
  lease.assertHeld();
  const revert = await revertToLastKnownGood(run);
  await record(revert.event);
  lease.assertHeld();
  await record(await rerunAcceptanceMatrix(run, revert.build));

  const noop = !created && steps.every((s) => s.outcome === 'unchanged');
  await env.db.withTransaction(async (tx) => {
    if (!noop) for (const e of pending) await appendIncidentEvent(tx, incidentId, now(), e);
    await writeAudit(tx, {
      type: noop ? 'rollout.rollback.noop' : 'rollout.rollback.ran',
      outcome: steps.some((s) => s.outcome === 'failed') ? 'failure' : 'success',
      actor: input.actor,
      time: now(),
      properties: { component, incidentId, reason: input.reason, steps },
    });
  });
  const [incident] = await readIncidents(env.db, { id: incidentId });
  return { incidentId, component, noop, steps, incident };
}
