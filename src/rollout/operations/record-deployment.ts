/** `deploy record`: a new current deployment record for one component (audited). */
import { writeAudit } from '../../telemetry/audit.ts';
import type { DeploymentRecord } from '../model.ts';
import { assertComponent } from '../components.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readDeployments } from '../state/read-state.ts';
import { RolloutInputError } from './refusal.ts';

export interface DeploymentInput {
  component: string;
  buildId: string;
  configVersion?: string | null;
  /** Marks the record last-known-good at once (e.g. a build already verified elsewhere). */
  lastKnownGood?: boolean;
  deployedAt?: Date;
}

export async function recordDeployment(env: RolloutEnv, input: DeploymentInput & Actor): Promise<DeploymentRecord> {
  const component = assertComponent(env, input.component);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/.test(input.buildId)) throw new RolloutInputError(`build id ${JSON.stringify(input.buildId)}: letters, digits and . _ : + - only`);
  const at = input.deployedAt ?? env.clock.now();
  return env.db.withTransaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7314050)');
    const previous = await tx.query('update rollout.deployments set current = false where component = $1 and current returning id, build_id', [component]);
    const { rows } = await tx.query(
      `insert into rollout.deployments (component, build_id, config_version, deployed_at, recorded_by, last_known_good, current)
       values ($1, $2, $3, $4, $5, $6, true) returning id`,
      [component, input.buildId, input.configVersion ?? null, at, input.actor, input.lastKnownGood ?? false],
    );
    await writeAudit(tx, {
      type: 'rollout.deployment.recorded',
      outcome: 'success',
      actor: input.actor,
      time: at,
      properties: { component, buildId: input.buildId, configVersion: input.configVersion ?? null, previousBuild: previous.rows[0]?.build_id ?? null, lastKnownGood: input.lastKnownGood ?? false },
    });
    return (await readDeployments(tx, component)).find((d) => d.id === Number(rows[0].id))!;
  });
}

/** Marks a component's current deployment last-known-good (after green evidence, or by an operator). */
export async function markLastKnownGood(env: RolloutEnv, input: { component: string; reason: string } & Actor): Promise<DeploymentRecord> {
  const component = assertComponent(env, input.component);
  return env.db.withTransaction(async (tx) => {
    const { rows } = await tx.query('update rollout.deployments set last_known_good = true where component = $1 and current returning id, build_id', [component]);
    if (rows.length === 0) throw new RolloutInputError(`no deployment of ${component} recorded`);
    await writeAudit(tx, { type: 'rollout.deployment.marked_good', outcome: 'success', actor: input.actor, time: env.clock.now(), properties: { component, buildId: rows[0].build_id, reason: input.reason } });
    return (await readDeployments(tx, component)).find((d) => d.id === Number(rows[0].id))!;
  });
}
