import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { loadPolicy } from '../../../rollout/policy/load.ts';
import type { RolloutEnv } from '../../../rollout/rollout-env.ts';
import { systemClock } from '../../../telemetry/clock.ts';
import { configFrom } from '../../options.ts';
import { withDatabase } from '../../with-database.ts';

export const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : text + '\n');
export const defaultActor = () => `cli:${userInfo().username}`;

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
