import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { stateDir } from '../../db/connect.ts';
import { matrixRerun } from '../../rollout/playbook/matrix-rerun.ts';
import { renderChecklist } from '../../rollout/checklist/render-checklist.ts';
import { advancePhase } from '../../rollout/operations/advance-phase.ts';
import { checklistReport, decide } from '../../rollout/operations/decide.ts';
import { enableStrict } from '../../rollout/operations/enable-strict.ts';
import { monitorReadings, phaseExitGate, strictGate } from '../../rollout/operations/evaluate-gates.ts';
import { markLastKnownGood, recordDeployment } from '../../rollout/operations/record-deployment.ts';
import { recordSignoff } from '../../rollout/operations/record-signoff.ts';
import { RolloutInputError } from '../../rollout/operations/refusal.ts';
import { rolloutStatus } from '../../rollout/operations/rollout-status.ts';
import { setFreeze } from '../../rollout/operations/set-freeze.ts';
import { resolveIncident } from '../../rollout/playbook/incident-log.ts';
import { runMonitors } from '../../rollout/playbook/run-monitors.ts';
import { runRollback } from '../../rollout/playbook/run-rollback.ts';
import { defaultPolicyInput } from '../../rollout/policy/default.ts';
import { loadPolicy, PolicyError, readPolicyFile } from '../../rollout/policy/load.ts';
import type { RolloutEnv } from '../../rollout/rollout-env.ts';
import { readDecisions, readDeployments, readIncidents } from '../../rollout/state/read-state.ts';
import { formatChecks, formatGate, formatStrictDays } from '../../rollout/text/format-gate.ts';
import { formatIncident } from '../../rollout/text/format-incident.ts';
import { formatStatus } from '../../rollout/text/format-status.ts';
import { systemClock } from '../../telemetry/clock.ts';
import { configFrom } from '../options.ts';
import { withDatabase } from '../with-database.ts';
import { matrixTarget } from './matrix.ts';

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : text + '\n');
const defaultActor = () => `cli:${userInfo().username}`;

/**
 * Runs a rollout command against the database with the policy in force. Failures reach the
 * CLI's one error mapping (src/cli/exit.ts): a refusal prints its reason table and exits 2.
 */
export function rolloutAction<A extends unknown[]>(fn: (env: RolloutEnv, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const config = configFrom(cmd);
    const policy = loadPolicy(config);
    await withDatabase(config, (db) => fn({ db, policy, clock: systemClock, hookCwd: process.cwd(), config }, ...(args.slice(0, -1) as A)));
  };
}

export function registerRollout(program: Command): void {
  const rollout = program.command('rollout').description('the rollout controller: policy, phases, gates, rollback playbook, readiness and go/no-go');

  const policy = rollout.command('policy').description('the rollout policy document');
  policy
    .command('show')
    .description('print the policy in force (rollout.policyFile, or the built-in seed policy)')
    .option('--json', 'JSON instead of YAML', false)
    .option('--default', 'the built-in policy even when a file is configured', false)
    .action(async (opts: { json: boolean; default: boolean }, cmd: Command) => {
      const p = opts.default ? defaultPolicyInput : loadPolicy(configFrom(cmd));
      out(opts.json ? JSON.stringify(p, null, 2) : stringify(p, { lineWidth: 0 }));
    });
  policy
    .command('validate <file>')
    .description('check a policy file against the schema; prints every problem with its path')
    .action(async (file: string) => {
      try {
        const p = readPolicyFile(file);
        out(`${file}: valid — ${p.phases.length} phases, strict earliest ${p.compatibility.strictEarliest}, N = ${p.compatibility.zeroLegacyDays}, ${p.monitors.length} monitors, ${p.checklist.length} checklist items`);
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        process.stderr.write(err.message + '\n');
        process.exitCode = 1;
      }
    });

  rollout
    .command('status')
    .description('phase, freeze, flags, instances with the flag version each runs, deployments and gates')
    .option('--json', 'machine-readable output', false)
    .action(
      rolloutAction(async (env, opts: { json: boolean }) => {
        const s = await rolloutStatus(env.db, env.policy, env.clock.now());
        out(opts.json ? JSON.stringify(s, null, 2) : formatStatus(s));
      }),
    );

  rollout
    .command('advance')
    .description('move to the next phase (refused while the exit gate fails or the rollout is frozen)')
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--actor <name>', 'who (default: the OS user)')
    .action(
      rolloutAction(async (env, opts: { reason: string; actor?: string }) => {
        const r = await advancePhase(env, { reason: opts.reason, actor: opts.actor ?? defaultActor() });
        out(`advanced: phase ${r.from} → ${r.to} (${env.policy.phases[r.to].name})\n${formatChecks(r.gate.checks)}`);
      }),
    );

  rollout
    .command('gate [which]')
    .description('evaluate a gate without acting: exit (default) or strict; exit code 3 when it fails')
    .option('--json', 'machine-readable output', false)
    .action(
      rolloutAction(async (env, which: string | undefined, opts: { json: boolean }) => {
        const now = env.clock.now();
        if (which === 'strict') {
          const g = await strictGate(env.db, env.policy, now);
          out(opts.json ? JSON.stringify(g, null, 2) : `${formatGate('strict-mode gate', g)}\n${formatStrictDays(g)}`);
          if (!g.pass) process.exitCode = 3;
        } else if (!which || which === 'exit') {
          const g = await phaseExitGate(env.db, env.policy, now);
          out(opts.json ? JSON.stringify(g, null, 2) : formatGate(`exit gate of phase ${g.phase}`, g));
          if (!g.pass) process.exitCode = 3;
        } else throw new RolloutInputError(`unknown gate ${which} (exit|strict)`);
      }),
    );

  rollout
    .command('signoff <criterion>')
    .description('record a person\'s sign-off for a manual exit criterion of the current phase')
    .requiredOption('--by <name>', 'who signs')
    .option('--note <text>', 'note', '')
    .action(
      rolloutAction(async (env, criterion: string, opts: { by: string; note: string }) => {
        const s = await recordSignoff(env, { criterion, signedBy: opts.by, note: opts.note, actor: defaultActor() });
        out(`signed off: phase ${s.phase} ${s.criterion} by ${s.signedBy} at ${s.at}`);
      }),
    );

  const deploy = rollout.command('deploy').description('deployment records per component (build, config version, last-known-good)');
  deploy
    .command('record <component> <build>')
    .description('record a deployment of a component (authority|gateway|platform|scanner|graph|web)')
    .option('--config-version <v>', 'configuration version deployed with it')
    .option('--lkg', 'mark it last-known-good at once', false)
    .option('--actor <name>', 'who (default: the OS user)')
    .action(
      rolloutAction(async (env, component: string, build: string, opts: { configVersion?: string; lkg: boolean; actor?: string }) => {
        const d = await recordDeployment(env, { component, buildId: build, configVersion: opts.configVersion, lastKnownGood: opts.lkg, actor: opts.actor ?? defaultActor() });
        out(`recorded: ${d.component} ${d.buildId}${d.configVersion ? ` (config ${d.configVersion})` : ''} at ${d.deployedAt}${d.lastKnownGood ? ', last-known-good' : ''} (record #${d.id})`);
      }),
    );
  deploy
    .command('mark-good <component>')
    .description("mark a component's current deployment last-known-good")
    .requiredOption('--reason <text>', 'the evidence that makes it good')
    .action(
      rolloutAction(async (env, component: string, opts: { reason: string }) => {
        const d = await markLastKnownGood(env, { component, reason: opts.reason, actor: defaultActor() });
        out(`${d.component} ${d.buildId} is now last-known-good`);
      }),
    );
  deploy
    .command('list [component]')
    .description('deployment history')
    .action(
      rolloutAction(async (env, component: string | undefined) => {
        for (const d of await readDeployments(env.db, component)) {
          const marks = [d.current && 'CURRENT', d.lastKnownGood && 'lkg', d.revertedAt && `reverted by incident #${d.revertedByIncident}`].filter(Boolean).join(', ');
          out(`#${d.id}  ${d.component.padEnd(10)} ${d.buildId.padEnd(20)} config ${String(d.configVersion ?? '-').padEnd(8)} ${d.deployedAt}  ${marks}`);
        }
      }),
    );

  const strict = rollout.command('strict').description('strict mode: new clients first, then all');
  strict
    .command('enable <mode>')
    .description('set gateway.strictMode to new-clients|all (refused while the strict gate fails or the rollout is frozen)')
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--force', 'override a failing gate (audited as forced; a freeze still blocks)', false)
    .action(
      rolloutAction(async (env, mode: string, opts: { reason: string; force: boolean }) => {
        const r = await enableStrict(env, { mode, reason: opts.reason, force: opts.force, actor: defaultActor() });
        out(`gateway.strictMode: ${r.previous} → ${r.mode}${r.changed ? '' : ' (already set)'}${r.forced ? '  [FORCED — audited]' : ''}`);
      }),
    );

  for (const [name, frozen] of [
    ['freeze', true],
    ['unfreeze', false],
  ] as const) {
    rollout
      .command(name)
      .description(frozen ? 'freeze the strict-mode rollout (blocks advance and strict)' : 'lift the freeze')
      .requiredOption('--reason <text>', 'why (recorded)')
      .action(
        rolloutAction(async (env, opts: { reason: string }) => {
          const r = await setFreeze(env, { frozen, reason: opts.reason, actor: defaultActor() });
          out(r.changed ? `rollout ${frozen ? 'frozen' : 'unfrozen'}: ${opts.reason}` : `rollout already ${frozen ? 'frozen' : 'unfrozen'}: nothing changed`);
        }),
      );
  }

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

  rollout
    .command('checklist')
    .description('the production readiness checklist from recorded evidence (deterministic: same evidence, same bytes)')
    .option('--json', 'canonical JSON instead of Markdown', false)
    .option('--out <dir>', 'also write checklist.json, checklist.md and checklist.sha256 there')
    .action(
      rolloutAction(async (env, opts: { json: boolean; out?: string }) => {
        const rendered = renderChecklist(await checklistReport(env.db, env.policy));
        process.stdout.write(opts.json ? rendered.json : rendered.markdown);
        if (opts.out) {
          const dir = resolve(opts.out);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'checklist.json'), rendered.json);
          writeFileSync(join(dir, 'checklist.md'), rendered.markdown);
          writeFileSync(join(dir, 'checklist.sha256'), `${rendered.jsonSha256}  checklist.json\n${rendered.markdownSha256}  checklist.md\n`);
        }
      }),
    );

  rollout
    .command('decide <decision>')
    .description('record go|no-go with QA and PM names against the checklist hash (go refused while an item is red)')
    .requiredOption('--qa <name>', 'QA sign-off')
    .requiredOption('--pm <name>', 'project manager sign-off')
    .option('--note <text>', 'note', '')
    .option('--force', 'record go despite red items (needs --reason; audited)', false)
    .option('--reason <text>', 'why go is forced')
    .action(
      rolloutAction(async (env, decision: string, opts: { qa: string; pm: string; note: string; force: boolean; reason?: string }) => {
        const r = await decide(env, { decision, qa: opts.qa, pm: opts.pm, note: opts.note, force: opts.force, forceReason: opts.reason, actor: defaultActor() });
        out(`decision #${r.decision.id}: ${r.decision.decision} by QA ${r.decision.qa} and PM ${r.decision.pm}${r.decision.forced ? `  [FORCED: ${r.decision.forceReason}]` : ''}\nchecklist evidence sha256 ${r.decision.checklistSha256}`);
      }),
    );
  rollout
    .command('decisions')
    .description('recorded go/no-go decisions')
    .action(
      rolloutAction(async (env) => {
        for (const d of await readDecisions(env.db)) out(`#${d.id}  ${d.decidedAt}  ${d.decision.padEnd(5)}  QA ${d.qa}, PM ${d.pm}${d.forced ? `  FORCED: ${d.forceReason}` : ''}  ${d.checklistSha256.slice(0, 16)}…  ${d.note}`);
      }),
    );
}
