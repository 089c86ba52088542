import type { Command } from 'commander';
import { enableStrict } from '../../../rollout/operations/enable-strict.ts';
import { setFreeze } from '../../../rollout/operations/set-freeze.ts';
import { out, defaultActor, rolloutAction } from './shared.ts';

/** `rollout strict enable`, `rollout freeze|unfreeze`: strict mode and the freeze that blocks it. */
export function registerStrictCommands(rollout: Command): void {
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
}
