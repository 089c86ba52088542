import type { Command } from 'commander';
import { userInfo } from 'node:os';
import type { Database } from '../../db/database.ts';
import { createTenant, deleteTenant, listTenants, updateTenant } from '../../authority/store/tenants.ts';
import { configFrom } from '../options.ts';
import { withDatabase } from '../with-database.ts';

/** Who a CLI change is audited as. */
export function cliActor(): string {
  return `cli:${userInfo().username}`;
}

/** Runs an admin operation against the database; a refusal prints its stable code (src/cli/exit.ts). */
export async function runAdminCommand(cmd: Command, fn: (db: Database) => Promise<void>): Promise<void> {
  await withDatabase(configFrom(cmd), fn);
}

export function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function registerTenants(program: Command): void {
  const tenants = program.command('tenants').description('tenants known to the Authority (changes are audited)');
  tenants
    .command('list')
    .description('list tenants')
    .action(async (_opts, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        for (const t of await listTenants(db)) process.stdout.write(`${t.id.padEnd(24)} ${t.displayName}\n`);
      }),
    );
  tenants
    .command('add <id>')
    .description('create a tenant (id is normalized: ASCII, lower-case)')
    .option('--name <displayName>', 'display name (default: the id)')
    .action(async (id: string, opts: { name?: string }, cmd: Command) =>
      runAdminCommand(cmd, async (db) => print(await createTenant(db, { id, displayName: opts.name }, cliActor()))),
    );
  tenants
    .command('update <id>')
    .description("change a tenant's display name")
    .requiredOption('--name <displayName>', 'new display name')
    .action(async (id: string, opts: { name: string }, cmd: Command) =>
      runAdminCommand(cmd, async (db) => print(await updateTenant(db, id, { displayName: opts.name }, cliActor()))),
    );
  tenants
    .command('remove <id>')
    .description('delete a tenant that no client or user is assigned to')
    .action(async (id: string, _opts, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        await deleteTenant(db, id, cliActor());
        process.stdout.write(`tenant ${id} removed\n`);
      }),
    );
}
