/**
 * The four steps of the rollback playbook (ROLLOUT.md §5), one function each. A step looks at
 * the state first and answers `unchanged` when it is already in place, `done` when it changed
 * something, `failed` when it could not; the runner (run-rollback.ts) puts the answers on the
 * incident timeline.
 */
import { rolloutFlags, servicesWithLegacyFlags } from '../components.ts';
import { readFlagSnapshot, setFlags } from '../../flags/store.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import type { DeploymentRecord } from '../model.ts';
import { setFreezeIn } from '../operations/set-freeze.ts';
import { storeEvidenceIn } from '../operations/import-evidence.ts';
import type { RolloutEnv } from '../rollout-env.ts';
import { readDeployments, readEvidence } from '../state/read-state.ts';
import { expandHookCommand, runRevertHook } from './run-revert-hook.ts';

export type StepOutcome = 'done' | 'unchanged' | 'failed';

export interface PlaybookStep {
  step: 'flags' | 'freeze' | 'revert' | 'matrix';
  outcome: StepOutcome;
  detail: string;
}

/** A step's answer as it lands on the incident timeline. */
export interface StepEvent extends PlaybookStep {
  data?: Record<string, unknown>;
}

/** What every step knows about the run it belongs to. */
export interface StepRun {
  env: RolloutEnv;
  component: string;
  incidentId: number;
  reason: string;
  actor: string;
}

/** The compatibility flags a rollback of `component` restores. */
export function compatibilityFlags(component: string, services: readonly string[] = ['platform', 'scanner', 'graph']): { name: string; value: unknown }[] {
  const flags: { name: string; value: unknown }[] = [
    { name: 'gateway.legacyHeaders', value: true },
    { name: 'gateway.strictMode', value: 'off' },
  ];
  if (services.includes(component)) {
    flags.push({ name: `${component}.emitLegacyHeaders`, value: true }, { name: `${component}.acceptLegacyHeaders`, value: true });
  }
  return flags;
}

/** The record a revert goes back to: the newest last-known-good record. */
export function lastKnownGood(records: readonly DeploymentRecord[]): DeploymentRecord | null {
  return [...records].filter((r) => r.lastKnownGood && !r.revertedAt).sort((a, b) => b.id - a.id)[0] ?? null;
}

/** Step 1: the compatibility flags back on. */
export async function restoreCompatibilityFlags(run: StepRun): Promise<StepEvent> {
  const wanted = compatibilityFlags(run.component, servicesWithLegacyFlags(run.env));
  const catalogue = rolloutFlags(run.env);
  const snapshot = await readFlagSnapshot(run.env.db, catalogue);
  const toChange = wanted.filter((f) => JSON.stringify((snapshot.values as Record<string, unknown>)[f.name]) !== JSON.stringify(f.value));
  if (toChange.length === 0) {
    return { step: 'flags', outcome: 'unchanged', detail: `already set: ${wanted.map((f) => `${f.name}=${String(f.value)}`).join(', ')}` };
  }
  const changes = await setFlags(run.env.db, toChange, { actor: run.actor, reason: `rollback of ${run.component} (incident #${run.incidentId}): ${run.reason}` }, catalogue);
  const applied = changes.filter((c) => c.changed);
  return {
    step: 'flags',
    outcome: applied.length ? 'done' : 'unchanged',
    detail: applied.map((c) => `${c.name} ${JSON.stringify(c.previous)} → ${JSON.stringify(c.value)} (v${c.version})`).join(', ') || 'already set',
    data: { changes: applied },
  };
}

/** Step 2: the strict-mode rollout frozen. */
export async function freezeStrictRollout(run: StepRun): Promise<StepEvent> {
  const now = run.env.clock.now();
  const freeze = await run.env.db.withTransaction((tx) =>
    setFreezeIn(tx, now, { frozen: true, reason: `incident #${run.incidentId}: rollback of ${run.component}`, incidentId: run.incidentId, actor: run.actor }),
  );
  return { step: 'freeze', outcome: freeze.changed ? 'done' : 'unchanged', detail: freeze.changed ? 'strict-mode rollout frozen' : `already frozen (${freeze.reason})` };
}

/**
 * Step 3: the component's last deployment batch reverted to its last-known-good record through
 * the revert hook. Answers the build the component runs afterwards (null when none is recorded).
 */
export async function revertToLastKnownGood(run: StepRun): Promise<{ event: StepEvent; build: string | null }> {
  const { env, component, incidentId } = run;
  const records = await readDeployments(env.db, component);
  const current = records.find((r) => r.current) ?? null;
  const lkg = lastKnownGood(records);
  if (!current) return { build: null, event: { step: 'revert', outcome: 'failed', detail: `no deployment of ${component} recorded: nothing to revert` } };
  const stays = { build: current.buildId };
  if (!lkg) {
    return { ...stays, event: { step: 'revert', outcome: 'failed', detail: `no last-known-good record for ${component}: current build ${current.buildId} stays (mark one with deploy record --lkg)` } };
  }
  if (lkg.id === current.id) {
    return { ...stays, event: { step: 'revert', outcome: 'unchanged', detail: `${component} already runs its last-known-good build ${lkg.buildId} (record #${lkg.id})` } };
  }
  const argv = expandHookCommand(env.policy.revertHook.command, { module: component, build: lkg.buildId, configVersion: lkg.configVersion ?? '', incident: String(incidentId) });
  const hook = await runRevertHook(argv, { cwd: env.hookCwd, timeoutMs: env.policy.revertHook.timeoutMs });
  if (hook.exitCode !== 0) {
    const why = `${hook.exitCode === null ? hook.error : `exit ${hook.exitCode}`}${hook.stderr.trim() ? `: ${hook.stderr.trim().split('\n')[0]}` : ''}`;
    return { ...stays, event: { step: 'revert', outcome: 'failed', detail: `revert hook ${argv[0]} failed (${why}); ${component} stays on ${current.buildId}`, data: { hook } } };
  }
  const batch = records.filter((r) => r.id > lkg.id && !r.revertedAt);
  const now = env.clock.now();
  await env.db.withTransaction(async (tx) => {
    await tx.query('update rollout.deployments set current = false, reverted_at = $2, reverted_by_incident = $3 where component = $1 and id > $4 and reverted_at is null', [
      component,
      now,
      incidentId,
      lkg.id,
    ]);
    await tx.query('update rollout.deployments set current = true where id = $1', [lkg.id]);
    await writeAudit(tx, {
      type: 'rollout.deployment.reverted',
      outcome: 'success',
      actor: run.actor,
      time: now,
      properties: { component, incidentId, from: current.buildId, to: lkg.buildId, reverted: batch.map((b) => b.buildId) },
    });
  });
  return {
    build: lkg.buildId,
    event: {
      step: 'revert',
      outcome: 'done',
      detail: `${component} reverted from ${current.buildId} to last-known-good ${lkg.buildId} (reverted: ${batch.map((b) => b.buildId).join(', ')})`,
      data: { hook, from: current.buildId, to: lkg.buildId },
    },
  };
}

/** Step 4: the acceptance matrix re-run against the build the component now runs, its evidence attached. */
export async function rerunAcceptanceMatrix(run: StepRun, build: string | null): Promise<StepEvent> {
  const { env, component, incidentId } = run;
  const attached = (await readEvidence(env.db, { incidentId, kind: 'matrix' })).find((e) => e.green && e.summary.build === build);
  if (attached) return { step: 'matrix', outcome: 'unchanged', detail: `green matrix evidence #${attached.id} for build ${build} already attached` };
  if (!env.matrix) return { step: 'matrix', outcome: 'failed', detail: 'no gateway to run the acceptance matrix against (give --gateway)' };
  try {
    const matrix = await env.matrix({ component, incidentId });
    const evidence = await env.db.withTransaction((tx) =>
      storeEvidenceIn(tx, env.clock.now(), {
        kind: 'matrix',
        name: `matrix after rollback of ${component} (incident #${incidentId})`,
        content: matrix.reportJson,
        incidentId,
        actor: run.actor,
        format: 'json',
        cases: matrix.cases,
        summary: { gateway: matrix.gateway, build, component, outDir: matrix.outDir },
      }),
    );
    return {
      step: 'matrix',
      outcome: evidence.green ? 'done' : 'failed',
      detail: `acceptance matrix against ${matrix.gateway}: ${evidence.total - evidence.failed}/${evidence.total} rows green, evidence #${evidence.id} (sha256 ${evidence.sha256.slice(0, 16)}…)`,
      data: { evidenceId: evidence.id, outDir: matrix.outDir },
    };
  } catch (err) {
    return { step: 'matrix', outcome: 'failed', detail: `acceptance matrix could not run: ${(err as Error).message}` };
  }
}
