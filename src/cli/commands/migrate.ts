import type { Command } from 'commander';
import { prepareDatabase } from '../../db/connect.ts';
import { configFrom } from '../options.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description("create the roles when missing and apply pending migrations, with the migrator's DATABASE_URL (the only command that needs it)")
    .option('--reset-runtime-password', 'set the runtime role\'s password to database.runtimePassword (ALTER ROLE: needs CREATEROLE)', false)
    .action(async (opts: { resetRuntimePassword: boolean }, cmd: Command) => {
      const prepared = await prepareDatabase(configFrom(cmd), { migrate: true, reuseRunning: true, resetRuntimePassword: opts.resetRuntimePassword });
      try {
        const m = prepared.migrations;
        process.stdout.write(`applied ${m?.applied.length ?? 0} migration(s)${m?.applied.length ? ': ' + m.applied.join(', ') : ''}; ${m?.skipped.length ?? 0} already applied\n`);
      } finally {
        await prepared.stop();
      }
    });
}
