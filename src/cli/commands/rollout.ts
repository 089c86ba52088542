import type { Command } from 'commander';
import { registerDeployCommands } from './rollout/deploy.ts';
import { registerPhaseCommands } from './rollout/phase.ts';
import { registerPlaybookCommands } from './rollout/playbook.ts';
import { registerPolicyCommands } from './rollout/policy.ts';
import { registerReadinessCommands } from './rollout/readiness.ts';
import { registerStrictCommands } from './rollout/strict.ts';

/** `tenantgate rollout …`: the rollout controller's commands, one file per group under rollout/. */
export function registerRollout(program: Command): void {
  const rollout = program.command('rollout').description('the rollout controller: policy, phases, gates, rollback playbook, readiness and go/no-go');
  registerPolicyCommands(rollout);
  registerPhaseCommands(rollout);
  registerDeployCommands(rollout);
  registerStrictCommands(rollout);
  registerPlaybookCommands(rollout);
  registerReadinessCommands(rollout);
}
