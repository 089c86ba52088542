import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { stateDir } from '../../../db/connect.ts';
import { matrixRerun } from '../../../rollout/playbook/matrix-rerun.ts';
import { monitorReadings } from '../../../rollout/operations/evaluate-gates.ts';
import { resolveIncident } from '../../../rollout/playbook/incident-log.ts';
import { runMonitors } from '../../../rollout/playbook/run-monitors.ts';
import { runRollback } from '../../../rollout/playbook/run-rollback.ts';
import type { RolloutEnv } from '../../../rollout/rollout-env.ts';
import { readIncidents } from '../../../rollout/state/read-state.ts';
import { formatIncident } from '../../../rollout/text/format-incident.ts';
import { configFrom } from '../../options.ts';
import { matrixTarget } from '../matrix.ts';
import { out, defaultActor, rolloutAction } from './shared.ts';

/** `rollout rollback|monitors|incidents|resolve`: the rollback playbook and its incidents. */
export function registerPlaybookCommands(rollout: Command): void {
  const matrixOptions = (c: Command) =>
    c
      .option('--gateway <url>', 'gateway the acceptance matrix runs against (default: this config\'s public URL)')
      .option('--client <id>', 'admin client for the matrix', 'tenantgate-admin')
      .option('--secret <secret>', 'its secret (default: TENANTGATE_MATRIX_SECRET or the demo credentials file)')
      .option('--out <dir>', 'where matrix evidence is written (default: .tenantgate/evidence)')
      .option('--no-matrix', 'skip the matrix re-run (the step is recorded as not done)');
  type MatrixOpts = { gateway?: string; client: string; secret?: string; out?: string; matrix: boolean };
  const withMatrix = (env: RolloutEnv, opts: MatrixOpts, cmd: Command): RolloutEnv => {
    if (!opts.matrix) return env;
    const config = configFrom(cmd);
    const target = matrixTarget(config, opts);
    return { ...env, matrix: matrixRerun({ ...target, profile: config.profile, outDir: resolve(opts.out ?? join(stateDir(config), 'evidence')) }) };
  };

  matrixOptions(
    rollout
      .command('rollback <component>')
      .description("the playbook for one component: compatibility flags on, freeze, revert to last-known-good via the revert hook, re-run the matrix; idempotent")
      .requiredOption('--reason <text>', 'why (recorded on the incident)')
      .option('--actor <name>', 'who (default: the OS user)'),
  ).action(async (component: string, opts: MatrixOpts & { reason: string; actor?: string }, cmd: Command) =>
    rolloutAction(async (env) => {
      const r = await runRollback(withMatrix(env, opts, cmd), { component, reason: opts.reason, actor: opts.actor ?? defaultActor() });
      out(r.noop ? `rollback of ${component}: every step already in place — nothing changed (incident #${r.incidentId})` : `rollback of ${component} (incident #${r.incidentId})`);
      for (const s of r.steps) out(`  ${s.step.padEnd(7)} ${s.outcome.padEnd(9)} ${s.detail}`);
      if (r.steps.some((s) => s.outcome === 'failed')) process.exitCode = 1;
    })(cmd),
  );

  matrixOptions(
    rollout
      .command('monitors')
      .description('evaluate the rollback monitors; with --run, open incidents and run the playbook where the policy says so')
      .option('--run', 'act on tripped monitors', false),
  ).action(async (opts: MatrixOpts & { run: boolean }, cmd: Command) =>
    rolloutAction(async (env) => {
      const readings = opts.run ? (await runMonitors(withMatrix(env, opts, cmd))).readings : await monitorReadings(env.db, env.policy, env.clock.now());
      for (const r of readings) out(`  ${r.tripped ? 'TRIPPED' : 'ok     '}  ${r.monitor.padEnd(28)} ${r.module.padEnd(9)} ${r.detail}${r.tripped && r.autoRollback ? '  (auto-rollback)' : ''}`);
    })(cmd),
  );

  rollout
    .command('incidents [id]')
    .description('incidents with their timelines')
    .action(
      rolloutAction(async (env, id: string | undefined) => {
        const list = await readIncidents(env.db, id ? { id: Number(id) } : {});
        out(list.length ? list.map(formatIncident).join('\n\n') : 'no incidents');
      }),
    );
  rollout
    .command('resolve <id>')
    .description('close an incident')
    .requiredOption('--note <text>', 'how it was resolved')
    .action(
      rolloutAction(async (env, id: string, opts: { note: string }) => {
        const ok = await resolveIncident(env.db, Number(id), env.clock.now(), { actor: defaultActor(), note: opts.note });
        out(ok ? `incident #${id} resolved` : `incident #${id} is not open: nothing changed`);
      }),
    );
}
