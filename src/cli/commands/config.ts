import type { Command } from 'commander';
import { redactedConfig } from '../../config/load.ts';
import { configFrom } from '../options.ts';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('print')
    .description('print the effective configuration (defaults < file < TENANTGATE_* env < flags), secrets redacted')
    .action((_opts, cmd: Command) => {
      process.stdout.write(JSON.stringify(redactedConfig(configFrom(cmd)), null, 2) + '\n');
    });
}
