import type { Command } from 'commander';
import { markLastKnownGood, recordDeployment } from '../../../rollout/operations/record-deployment.ts';
import { readDeployments } from '../../../rollout/state/read-state.ts';
import { out, defaultActor, rolloutAction } from './shared.ts';

/** `rollout deploy record|mark-good|list`: deployment records per component. */
export function registerDeployCommands(rollout: Command): void {
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
}
