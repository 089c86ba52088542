import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { fleetRoles, tenantRoles } from '../../contract/roles.ts';
import { assignMember, unassignMember } from '../../authority/store/membership.ts';
import { createUser, deleteUser, listUsers, updateUser, userView } from '../../authority/store/users.ts';
import { cliActor, print, runAdminCommand } from './tenants.ts';

interface UserOptions {
  password?: string;
  tenant?: string;
  tenants?: string;
  role?: string;
  roles?: string;
  fleetRoles?: string;
}

export const roleHelp = {
  role: `role in every assigned tenant --roles does not name (${tenantRoles.join(', ')}; default member for a new assignment)`,
  roles: 'a role per tenant, e.g. tenant-alpha=admin,tenant-bravo=viewer',
  fleetRoles: `fleet roles, space- or comma-delimited (${fleetRoles.join(', ')}; "none" clears)`,
};

function withUserOptions(cmd: Command): Command {
  return cmd
    .option('--password <password>', 'password (avoid: it lands in shell history); add generates one when omitted')
    .option('--tenant <id>', 'scalar default tenant')
    .option('--tenants <set>', 'assigned tenants, space- or comma-delimited')
    .option('--role <role>', roleHelp.role)
    .option('--roles <tenant=role,...>', roleHelp.roles)
    .option('--fleet-roles <roles>', roleHelp.fleetRoles);
}

function roleText(roles: Record<string, string>, fleet: string[]): string {
  const tenants = Object.entries(roles).map(([t, r]) => `${t}=${r}`).join(',') || '-';
  return `roles=${tenants} fleet=${fleet.join(',') || '-'}`;
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
        for (const u of all) {
          process.stdout.write(`${u.username.padEnd(20)} tenant=${u.tenant ?? '-'} tenants=${u.tenants.join(' ') || '-'} ${roleText(u.roles, u.fleetRoles)}${u.disabled ? ' disabled' : ''}\n`);
        }
      }),
    );
  withUserOptions(users.command('add <username>').description('create a user'))
    .action(async (username: string, opts: UserOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const generated = opts.password === undefined ? randomBytes(12).toString('base64url') : null;
        const user = await createUser(
          db,
          { username, password: opts.password ?? generated, tenant: opts.tenant, tenants: opts.tenants, role: opts.role, roles: opts.roles, fleetRoles: opts.fleetRoles },
          cliActor(),
        );
        print(generated ? { ...user, password: generated } : user);
      }),
    );
  withUserOptions(users.command('update <username>').description('change a user (only the options given)'))
    .action(async (username: string, opts: UserOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) =>
        print(await updateUser(db, username, { password: opts.password, tenant: opts.tenant, tenants: opts.tenants, role: opts.role, roles: opts.roles, fleetRoles: opts.fleetRoles }, cliActor())),
      ),
    );
  users
    .command('assign <username> <tenant>')
    .description('assign a user to a tenant with a role, or change its role there')
    .option('--role <role>', `${tenantRoles.join(', ')} (default member; an existing member keeps its role)`)
    .action(async (username: string, tenant: string, opts: { role?: string }, cmd: Command) =>
      runAdminCommand(cmd, async (db) => print(await assignMember(db, 'user', username, tenant, opts.role, cliActor()))),
    );
  users
    .command('unassign <username> <tenant>')
    .description('remove a user from a tenant')
    .action(async (username: string, tenant: string, _opts, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        await unassignMember(db, 'user', username, tenant, cliActor());
        process.stdout.write(`user ${username} removed from ${tenant}\n`);
      }),
    );
  users
    .command('disable <username>')
    .description('disable a user: they cannot sign in or refresh, and every token issued to them so far is revoked')
    .action(async (username: string, _opts, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        await updateUser(db, username, { disabled: true }, cliActor());
        process.stdout.write(`user ${username} disabled\n`);
      }),
    );
  users
    .command('enable <username>')
    .description('enable a disabled user again (the tokens revoked when they were disabled stay revoked)')
    .action(async (username: string, _opts, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        await updateUser(db, username, { disabled: false }, cliActor());
        process.stdout.write(`user ${username} enabled\n`);
      }),
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
