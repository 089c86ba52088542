import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { createUser, deleteUser, listUsers, updateUser, userView } from '../../authority/store/users.ts';
import { assignmentInput, registerDisableCommands, registerMemberCommands, roleText, tenantText, withAssignmentOptions, type AssignmentOptions } from './holders.ts';
import { cliActor, print, runAdminCommand } from './tenants.ts';

interface UserOptions extends AssignmentOptions {
  password?: string;
}

function withUserOptions(cmd: Command): Command {
  return withAssignmentOptions(cmd.option('--password <password>', 'password (avoid: it lands in shell history); add generates one when omitted'));
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('users of the password and authorization-code grants (changes are audited)');
  users
    .command('list')
    .description('list users, their tenant assignments and roles')
    .option('--json', 'machine-readable output', false)
    .action(async (opts: { json: boolean }, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const all = (await listUsers(db)).map(userView);
        if (opts.json) return print(all);
        for (const u of all) process.stdout.write(`${u.username.padEnd(20)} ${tenantText(u)} ${roleText(u)}\n`);
      }),
    );
  withUserOptions(users.command('add <username>').description('create a user'))
    .action(async (username: string, opts: UserOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const generated = opts.password === undefined ? randomBytes(12).toString('base64url') : null;
        const user = await createUser(db, { username, password: opts.password ?? generated, ...assignmentInput(opts) }, cliActor());
        print(generated ? { ...user, password: generated } : user);
      }),
    );
  withUserOptions(users.command('update <username>').description('change a user (only the options given)'))
    .action(async (username: string, opts: UserOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) => print(await updateUser(db, username, { password: opts.password, ...assignmentInput(opts) }, cliActor()))),
    );
  registerMemberCommands(users, 'user', 'username', 'assign a user to a tenant with a role, or change its role there');
  registerDisableCommands(users, 'user', 'username', (db, id, disabled, actor) => updateUser(db, id, { disabled }, actor), {
    disable: 'disable a user: they cannot sign in or refresh, and every token issued to them so far is revoked',
    enable: 'enable a disabled user again (the tokens revoked when they were disabled stay revoked)',
  });
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
