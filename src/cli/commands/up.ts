import type { Command } from 'commander';
import { stateDir } from '../../db/connect.ts';
import { describeStack, startStack } from '../../stack.ts';
import { configFileFrom, configFrom } from '../options.ts';
import { describeRunning, removeRunning, writeRunning } from '../running-stack.ts';
import { onShutdownSignal } from '../signals.ts';
import { ensureConsoleBuilt } from '../console-build.ts';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the whole stack: database (embedded unless DATABASE_URL), migrations, demo seed, every component')
    .option('--migrate', "apply pending migrations to an external database first (the embedded one is always migrated)", false)
    .action(async (opts: { migrate: boolean }, cmd: Command) => {
      const config = configFrom(cmd, { joinRunning: false });
      // Every component shares this one process: the gateway's workers belong to `tenantgate gateway`.
      if ((config.gateway.workers ?? 1) > 1) process.stderr.write(`gateway.workers = ${config.gateway.workers} applies to \`tenantgate gateway\`; \`tenantgate up\` runs the gateway in its one process\n`);
      await ensureConsoleBuilt(config);
      const stack = await startStack({ config, migrate: opts.migrate });
      // CLI commands in this directory find the stack through running.json while it runs.
      const dir = stateDir(config);
      try {
        writeRunning(dir, describeRunning(stack, config, configFileFrom(cmd)));
      } catch (err) {
        process.stderr.write(`could not record ${dir}/running.json (commands here need --port/--set): ${(err as Error).message}\n`);
      }
      process.once('exit', () => removeRunning(dir));
      onShutdownSignal(async () => {
        removeRunning(dir);
        await stack.stop();
      });
      process.stdout.write(describeStack(stack, config) + '\n');
    });
}
