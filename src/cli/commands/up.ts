import type { Command } from 'commander';
import { describeStack, startStack } from '../../stack.ts';
import { configFrom } from '../options.ts';
import { onShutdownSignal } from '../signals.ts';
import { ensureConsoleBuilt } from '../console-build.ts';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the whole stack: database (embedded unless DATABASE_URL), migrations, demo seed, every component')
    .option('--migrate', "apply pending migrations to an external database first (the embedded one is always migrated)", false)
    .action(async (opts: { migrate: boolean }, cmd: Command) => {
      const config = configFrom(cmd);
      await ensureConsoleBuilt(config);
      const stack = await startStack({ config, migrate: opts.migrate });
      onShutdownSignal(() => stack.stop());
      process.stdout.write(describeStack(stack, config) + '\n');
    });
}
