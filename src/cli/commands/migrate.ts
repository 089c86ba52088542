import type { Command } from 'commander';
import { prepareDatabase } from '../../db/connect.ts';
import { configFrom } from '../options.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create the roles and apply pending migrations')
    .action(async (_opts, cmd: Command) => {
      const prepared = await prepareDatabase(configFrom(cmd), { migrate: true, reuseRunning: true });
      try {
        const m = prepared.migrations;
        process.stdout.write(`applied ${m?.applied.length ?? 0} migration(s)${m?.applied.length ? ': ' + m.applied.join(', ') : ''}; ${m?.skipped.length ?? 0} already applied\n`);
      } finally {
        await prepared.stop();
      }
    });
}
