import { rolloutFlags } from '../../../rollout/components.ts';
import type { Command } from 'commander';
import { advancePhase } from '../../../rollout/operations/advance-phase.ts';
import { phaseExitGate, strictGate } from '../../../rollout/operations/evaluate-gates.ts';
import { recordSignoff } from '../../../rollout/operations/record-signoff.ts';
import { RolloutInputError } from '../../../rollout/operations/refusal.ts';
import { rolloutStatus } from '../../../rollout/operations/rollout-status.ts';
import { formatChecks, formatGate, formatStrictDays } from '../../../rollout/text/format-gate.ts';
import { formatStatus } from '../../../rollout/text/format-status.ts';
import { out, defaultActor, rolloutAction } from './shared.ts';

/** `rollout status|advance|gate|signoff`: where the rollout stands and moving it on. */
export function registerPhaseCommands(rollout: Command): void {
  rollout
    .command('status')
    .description('phase, freeze, flags, instances with the flag version each runs, deployments and gates')
    .option('--json', 'machine-readable output', false)
    .action(
      rolloutAction(async (env, opts: { json: boolean }) => {
        const s = await rolloutStatus(env.db, env.policy, env.clock.now(), rolloutFlags(env));
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
    .option('--owner <role>', 'the owner role signed for, when the criterion names owners (e.g. Authority)')
    .option('--note <text>', 'note', '')
    .action(
      rolloutAction(async (env, criterion: string, opts: { by: string; owner?: string; note: string }) => {
        const s = await recordSignoff(env, { criterion, signedBy: opts.by, owner: opts.owner, note: opts.note, actor: defaultActor() });
        out(`signed off: phase ${s.phase} ${s.criterion}${s.owner ? ` for ${s.owner}` : ''} by ${s.signedBy} at ${s.at}`);
      }),
    );
}
