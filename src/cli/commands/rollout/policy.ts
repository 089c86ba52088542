import type { Command } from 'commander';
import { stringify } from 'yaml';
import { defaultPolicyInput } from '../../../rollout/policy/default.ts';
import { loadPolicy, PolicyError, readPolicyFile } from '../../../rollout/policy/load.ts';
import { configFrom } from '../../options.ts';
import { out } from './shared.ts';

/** `rollout policy show|validate`: the policy document in force, and a check of a file. */
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
}
