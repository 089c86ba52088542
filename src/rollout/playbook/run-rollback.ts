/**
 * The rollback playbook (ROLLOUT.md §5) for ONE component: (1) compatibility flags back on,
 * (2) strict rollout frozen, (3) the component's last deployment batch reverted to its
 * last-known-good record through the revert hook, (4) the acceptance matrix re-run with its
 * evidence attached. Each step lands on the incident timeline as it happens. A second run
 * finds every step in place, changes nothing and says so. Other components' flags and
 * deployment records are never touched, and the token model (one selected tenant per token)
 * is not a flag: nothing here can change it.
 */
import { moduleNames } from '../../flags/definitions.ts';
import { readFlagSnapshot, setFlags } from '../../flags/store.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import type { DeploymentRecord } from '../model.ts';
import { assertComponent } from '../operations/record-deployment.ts';
import { RolloutInputError } from '../operations/refusal.ts';
import { setFreezeIn } from '../operations/set-freeze.ts';
import { storeEvidenceIn } from '../operations/import-evidence.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readDeployments, readEvidence, readIncidents } from '../state/read-state.ts';
import { appendIncidentEvent, findOpenIncident, openIncident } from './incident-log.ts';
import { expandHookCommand, runRevertHook } from './run-revert-hook.ts';
import type { Incident } from '../model.ts';

export type StepOutcome = 'done' | 'unchanged' | 'failed';

export interface PlaybookStep {
  step: 'flags' | 'freeze' | 'revert' | 'matrix';
  outcome: StepOutcome;
  detail: string;
}

export interface PlaybookResult {
  incidentId: number;
  component: string;
  /** True when every step was already in place: nothing changed. */
  noop: boolean;
  steps: PlaybookStep[];
  incident: Incident;
}

const PLAYBOOK_LOCK = 7314052;

/** The compatibility flags a rollback of `component` restores. */
export function compatibilityFlags(component: string): { name: string; value: unknown }[] {
  const flags: { name: string; value: unknown }[] = [
    { name: 'gateway.legacyHeaders', value: true },
    { name: 'gateway.strictMode', value: 'off' },
  ];
  if ((moduleNames as readonly string[]).includes(component)) {
    flags.push({ name: `${component}.emitLegacyHeaders`, value: true }, { name: `${component}.acceptLegacyHeaders`, value: true });
  }
  return flags;
}

/** The record a revert goes back to: the newest last-known-good record. */
export function lastKnownGood(records: readonly DeploymentRecord[]): DeploymentRecord | null {
  return [...records].filter((r) => r.lastKnownGood && !r.revertedAt).sort((a, b) => b.id - a.id)[0] ?? null;
}

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
  let pending: { step: PlaybookStep['step']; outcome: StepOutcome; detail: string; data?: Record<string, unknown> }[] = [];
  const flushPending = async () => {
    for (const e of pending) await appendIncidentEvent(env.db, incidentId, now(), e);
    pending = [];
  };
  const record = async (e: (typeof pending)[number]) => {
    steps.push({ step: e.step, outcome: e.outcome, detail: e.detail });
    pending.push(e);
    if (e.outcome !== 'unchanged' || created) await flushPending();
  };

  // 1. Compatibility flags.
  const wanted = compatibilityFlags(component);
  const snapshot = await readFlagSnapshot(env.db);
  const toChange = wanted.filter((f) => JSON.stringify((snapshot.values as Record<string, unknown>)[f.name]) !== JSON.stringify(f.value));
  if (toChange.length === 0) {
    await record({ step: 'flags', outcome: 'unchanged', detail: `already set: ${wanted.map((f) => `${f.name}=${String(f.value)}`).join(', ')}` });
  } else {
    const changes = await setFlags(env.db, toChange, { actor: input.actor, reason: `rollback of ${component} (incident #${incidentId}): ${input.reason}` });
    const applied = changes.filter((c) => c.changed);
    await record({
      step: 'flags',
      outcome: applied.length ? 'done' : 'unchanged',
      detail: applied.map((c) => `${c.name} ${JSON.stringify(c.previous)} → ${JSON.stringify(c.value)} (v${c.version})`).join(', ') || 'already set',
      data: { changes: applied },
    });
  }

  // 2. Freeze the strict-mode rollout.
  const freeze = await env.db.withTransaction((tx) => setFreezeIn(tx, now(), { frozen: true, reason: `incident #${incidentId}: rollback of ${component}`, incidentId, actor: input.actor }));
  await record({ step: 'freeze', outcome: freeze.changed ? 'done' : 'unchanged', detail: freeze.changed ? 'strict-mode rollout frozen' : `already frozen (${freeze.reason})` });

  // 3. Revert the component's last deployment batch to its last-known-good record.
  const records = await readDeployments(env.db, component);
  const current = records.find((r) => r.current) ?? null;
  const lkg = lastKnownGood(records);
  let target: DeploymentRecord | null = current;
  if (!current) {
    await record({ step: 'revert', outcome: 'failed', detail: `no deployment of ${component} recorded: nothing to revert` });
  } else if (!lkg) {
    await record({ step: 'revert', outcome: 'failed', detail: `no last-known-good record for ${component}: current build ${current.buildId} stays (mark one with deploy record --lkg)` });
  } else if (lkg.id === current.id) {
    await record({ step: 'revert', outcome: 'unchanged', detail: `${component} already runs its last-known-good build ${lkg.buildId} (record #${lkg.id})` });
  } else {
    const argv = expandHookCommand(env.policy.revertHook.command, { module: component, build: lkg.buildId, configVersion: lkg.configVersion ?? '', incident: String(incidentId) });
    const hook = await runRevertHook(argv, { cwd: env.hookCwd, timeoutMs: env.policy.revertHook.timeoutMs });
    if (hook.exitCode !== 0) {
      await record({ step: 'revert', outcome: 'failed', detail: `revert hook ${argv[0]} failed (${hook.exitCode === null ? hook.error : `exit ${hook.exitCode}`}${hook.stderr.trim() ? `: ${hook.stderr.trim().split('\n')[0]}` : ''}); ${component} stays on ${current.buildId}`, data: { hook } });
    } else {
      const batch = records.filter((r) => r.id > lkg.id && !r.revertedAt);
      await env.db.withTransaction(async (tx) => {
        await tx.query('update rollout.deployments set current = false, reverted_at = $2, reverted_by_incident = $3 where component = $1 and id > $4 and reverted_at is null', [
          component,
          now(),
          incidentId,
          lkg.id,
        ]);
        await tx.query('update rollout.deployments set current = true where id = $1', [lkg.id]);
        await writeAudit(tx, {
          type: 'rollout.deployment.reverted',
          outcome: 'success',
          actor: input.actor,
          time: now(),
          properties: { component, incidentId, from: current.buildId, to: lkg.buildId, reverted: batch.map((b) => b.buildId) },
        });
      });
      target = lkg;
      await record({
        step: 'revert',
        outcome: 'done',
        detail: `${component} reverted from ${current.buildId} to last-known-good ${lkg.buildId} (reverted: ${batch.map((b) => b.buildId).join(', ')})`,
        data: { hook, from: current.buildId, to: lkg.buildId },
      });
    }
  }

  // 4. Re-run the acceptance matrix against the last-known-good deployment and attach it.
  const build = target?.buildId ?? null;
  const attached = (await readEvidence(env.db, { incidentId, kind: 'matrix' })).find((e) => e.green && e.summary.build === build);
  if (attached) {
    await record({ step: 'matrix', outcome: 'unchanged', detail: `green matrix evidence #${attached.id} for build ${build} already attached` });
  } else if (!env.matrix) {
    await record({ step: 'matrix', outcome: 'failed', detail: 'no gateway to run the acceptance matrix against (give --gateway)' });
  } else {
    try {
      const run = await env.matrix({ component, incidentId });
      const evidence = await env.db.withTransaction((tx) =>
        storeEvidenceIn(tx, now(), {
          kind: 'matrix',
          name: `matrix after rollback of ${component} (incident #${incidentId})`,
          content: run.reportJson,
          incidentId,
          actor: input.actor,
          format: 'json',
          cases: run.cases,
          summary: { gateway: run.gateway, build, component, outDir: run.outDir },
        }),
      );
      await record({
        step: 'matrix',
        outcome: evidence.green ? 'done' : 'failed',
        detail: `acceptance matrix against ${run.gateway}: ${evidence.total - evidence.failed}/${evidence.total} rows green, evidence #${evidence.id} (sha256 ${evidence.sha256.slice(0, 16)}…)`,
        data: { evidenceId: evidence.id, outDir: run.outDir },
      });
    } catch (err) {
      await record({ step: 'matrix', outcome: 'failed', detail: `acceptance matrix could not run: ${(err as Error).message}` });
    }
  }

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
