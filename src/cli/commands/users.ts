import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { createUser, deleteUser, listUsers, updateUser, userView } from '../../authority/store/users.ts';
import { cliActor, print, runAdminCommand } from './tenants.ts';

interface UserOptions {
  password?: string;
  tenant?: string;
  tenants?: string;
  scope?: string[];
}

function withUserOptions(cmd: Command): Command {
  return cmd
    .option('--password <password>', 'password (avoid: it lands in shell history); add generates one when omitted')
    .option('--tenant <id>', 'scalar default tenant')
    .option('--tenants <set>', 'assigned tenants, space- or comma-delimited')
    .option('--scope <scopes...>', 'scopes the user may receive');
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('users of the password and authorization-code grants (changes are audited)');
  users
    .command('list')
    .description('list users and their tenant assignments')
    .option('--json', 'machine-readable output', false)
    .action(async (opts: { json: boolean }, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const all = (await listUsers(db)).map(userView);
        if (opts.json) return print(all);
        for (const u of all) process.stdout.write(`${u.username.padEnd(20)} tenant=${u.tenant ?? '-'} tenants=${u.tenants.join(' ') || '-'}\n`);
      }),
    );
  withUserOptions(users.command('add <username>').description('create a user'))
    .action(async (username: string, opts: UserOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const generated = opts.password === undefined ? randomBytes(12).toString('base64url') : null;
        const user = await createUser(db, { username, password: opts.password ?? generated, tenant: opts.tenant, tenants: opts.tenants, scopes: opts.scope }, cliActor());
        print(generated ? { ...user, password: generated } : user);
      }),
    );
  withUserOptions(users.command('update <username>').description('change a user (only the options given)'))
    .action(async (username: string, opts: UserOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) => print(await updateUser(db, username, { password: opts.password, tenant: opts.tenant, tenants: opts.tenants, scopes: opts.scope }, cliActor()))),
    );
  users
    .command('remove <username>')
    .description('delete a user and revoke their refresh tokens')
    .action(async (username: string, _opts, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        await deleteUser(db, username, cliActor());
        process.stdout.write(`user ${username} removed\n`);
      }),
    );
}
