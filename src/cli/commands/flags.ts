import type { Command } from 'commander';
import { deploymentFlags } from '../../flags/catalogue.ts';
import { parseFlagValue } from '../../flags/definitions.ts';
import { flagHistory, readFlagSnapshot, setFlags } from '../../flags/store.ts';
import { configFrom } from '../options.ts';
import { withDatabase } from '../with-database.ts';
import { userInfo } from 'node:os';

export function registerFlags(program: Command): void {
  const flags = program.command('flags').description('live feature flags (changes reach every instance within a second)');
  flags
    .command('list')
    .description('show every flag, its value and version')
    .option('--json', 'machine-readable output', false)
    .action(async (opts: { json: boolean }, cmd: Command) => {
      const config = configFrom(cmd);
      const catalogue = deploymentFlags(config);
      await withDatabase(config, async (db) => {
        const snapshot = await readFlagSnapshot(db, catalogue);
        if (opts.json) {
          process.stdout.write(JSON.stringify(snapshot, null, 2) + '\n');
          return;
        }
        process.stdout.write(`flag version ${snapshot.version}\n`);
        for (const [name, def] of catalogue.entries()) {
          const value = (snapshot.values as Record<string, unknown>)[name];
          process.stdout.write(`  ${name.padEnd(34)} ${String(value).padEnd(12)} ${def.description}\n`);
        }
      });
    });
  flags
    .command('set <name> <value>')
    .description('change a flag (audited, with history)')
    .requiredOption('--reason <text>', 'why (recorded in the history)')
    .option('--actor <name>', 'who (default: the OS user)')
    .action(async (name: string, value: string, opts: { reason: string; actor?: string }, cmd: Command) => {
      const config = configFrom(cmd);
      const catalogue = deploymentFlags(config);
      const parsed = parseFlagValue(name, value, catalogue);
      await withDatabase(config, async (db) => {
        const [change] = await setFlags(db, [{ name, value: parsed }], { actor: opts.actor ?? `cli:${userInfo().username}`, reason: opts.reason }, catalogue);
        process.stdout.write(change.changed ? `${name}: ${JSON.stringify(change.previous)} → ${JSON.stringify(change.value)} (version ${change.version})\n` : `${name} is already ${JSON.stringify(change.value)}: nothing changed\n`);
      });
    });
  flags
    .command('history [name]')
    .description('who changed what, when and why')
    .action(async (name: string | undefined, _opts, cmd: Command) => {
      await withDatabase(configFrom(cmd), async (db) => {
        for (const h of await flagHistory(db, name)) {
          process.stdout.write(`${h.changedAt}  v${h.version}  ${h.name}  ${JSON.stringify(h.previous)} → ${JSON.stringify(h.value)}  by ${h.changedBy}: ${h.reason}\n`);
        }
      });
    });
}
