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
import { assertComponent } from '../operations/record-deployment.ts';
import { RolloutInputError } from '../operations/refusal.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readIncidents } from '../state/read-state.ts';
import type { Incident } from '../model.ts';
import { appendIncidentEvent, findOpenIncident, openIncident } from './incident-log.ts';
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

const PLAYBOOK_LOCK = 7314052;

export async function runRollback(env: RolloutEnv, input: { component: string; reason: string; trigger?: string } & Actor): Promise<PlaybookResult> {
  const component = assertComponent(input.component);
  if (!input.reason?.trim()) throw new RolloutInputError('a rollback needs a reason');
  return env.db.withSession(async (session) => {
    // One playbook at a time: two operators (or a monitor and an operator) must not interleave steps.
    await session.query('select pg_advisory_lock($1)', [PLAYBOOK_LOCK]);
    try {
      return await runSteps(env, component, input);
    } finally {
      await session.query('select pg_advisory_unlock($1)', [PLAYBOOK_LOCK]).catch(() => undefined);
    }
  });
}

async function runSteps(env: RolloutEnv, component: string, input: { reason: string; trigger?: string } & Actor): Promise<PlaybookResult> {
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
  await record(await restoreCompatibilityFlags(run));
  await record(await freezeStrictRollout(run));
  const revert = await revertToLastKnownGood(run);
  await record(revert.event);
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
