import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { RolloutInputError } from '../../../rollout/operations/refusal.ts';
import { defaultPolicyInput } from '../../../rollout/policy/default.ts';
import { rolloutComponents } from '../../../rollout/components.ts';
import { checkPolicyComponents, loadPolicy, parsePolicy, PolicyError, readPolicyFile } from '../../../rollout/policy/load.ts';
import { shiftPolicy, staleScheduleWarning } from '../../../rollout/policy/schedule.ts';
import { utcDay } from '../../../telemetry/clock.ts';
import { configFrom } from '../../options.ts';
import { out } from './shared.ts';

/** `rollout policy show|validate|init`: the policy document in force, a check of a file, a schedule of one's own. */
export function registerPolicyCommands(rollout: Command): void {
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
    .description('check a policy file against the schema and the components this configuration has (built-in and services.<name>); prints every problem with its path')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      try {
        const p = readPolicyFile(file);
        checkPolicyComponents(p, rolloutComponents({ config: configFrom(cmd) }), file);
        out(`${file}: valid — ${p.phases.length} phases, strict earliest ${p.compatibility.strictEarliest}, N = ${p.compatibility.zeroLegacyDays}, ${p.monitors.length} monitors, ${p.checklist.length} checklist items`);
        const stale = staleScheduleWarning(p, null, utcDay(new Date()));
        if (stale) out(`WARNING  ${stale}`);
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        process.stderr.write(err.message + '\n');
        process.exitCode = 1;
      }
    });
  policy
    .command('init')
    .description('write the built-in policy with every date moved so phase 0 starts on --start (all spacings kept)')
    .requiredOption('--start <day>', 'the day phase 0 starts (YYYY-MM-DD, UTC)')
    .requiredOption('--out <file>', 'where to write the policy (YAML; JSON when the name ends in .json)')
    .option('--force', 'overwrite an existing file', false)
    .action(async (opts: { start: string; out: string; force: boolean }) => {
      const start = opts.start;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`)) || !new Date(`${start}T00:00:00Z`).toISOString().startsWith(start)) {
        throw new RolloutInputError(`--start ${JSON.stringify(start)} is not a calendar day; expected YYYY-MM-DD (UTC), e.g. ${utcDay(new Date())}`);
      }
      if (existsSync(opts.out) && !opts.force) throw new RolloutInputError(`${opts.out} exists; pass --force to overwrite it`);
      const shifted = shiftPolicy(defaultPolicyInput, start);
      const text = opts.out.endsWith('.json')
        ? JSON.stringify(shifted, null, 2) + '\n'
        : `# tenantgate rollout policy: the built-in policy with phase 0 starting ${start}\n# (rollout policy init --start ${start}); set rollout.policyFile to this file.\n${stringify(shifted, { lineWidth: 0 })}`;
      const p = parsePolicy(text, opts.out);
      writeFileSync(opts.out, text);
      const phases = p.phases.map((ph) => `  phase ${ph.id}  ${ph.earliestStart ? `earliest ${ph.window.start}` : `${ph.window.start} → ${ph.window.end ?? 'open'}`}`);
      out(
        [
          `wrote ${opts.out}: policy ${p.name}, phase 0 starts ${start}`,
          ...phases,
          `  legacy aliases supported through ${p.compatibility.legacyAliasesUntil} (then: ${p.legacyAliases.onWindowEnd})`,
          `  strict mode earliest ${p.compatibility.strictEarliest}, after ${p.compatibility.zeroLegacyDays} consecutive days of zero legacy use; new-clients cut-over ${p.strictRollout.newClientsCutover}`,
          `set rollout.policyFile: ${opts.out} (or TENANTGATE_ROLLOUT__POLICY_FILE) to use it`,
        ].join('\n'),
      );
    });
}
