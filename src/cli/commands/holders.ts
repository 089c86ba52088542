/**
 * What the `clients` and `users` commands share: the assignment and role options and the
 * input they make, the listing's assignment text, and the membership and disable/enable
 * subcommands.
 */
import type { Command } from 'commander';
import { assignMember, unassignMember, type MemberKind } from '../../authority/store/membership.ts';
import type { Database } from '../../db/database.ts';
import { fleetRoles, tenantRoles } from '../../contract/roles.ts';
import { cliActor, print, runAdminCommand } from './tenants.ts';

export const roleHelp = {
  role: `role in every assigned tenant --roles does not name (${tenantRoles.join(', ')}; default member for a new assignment)`,
  roles: 'a role per tenant, e.g. tenant-alpha=admin,tenant-bravo=viewer',
  fleetRoles: `fleet roles, space- or comma-delimited (${fleetRoles.join(', ')}; "none" clears)`,
};

export interface AssignmentOptions {
  tenant?: string;
  tenants?: string;
  role?: string;
  roles?: string;
  fleetRoles?: string;
}

/** --tenant, --tenants, --role, --roles, --fleet-roles; `role` describes --role. */
export function withAssignmentOptions(cmd: Command, role = roleHelp.role): Command {
  return cmd
    .option('--tenant <id>', 'scalar default tenant')
    .option('--tenants <set>', 'assigned tenants, space- or comma-delimited')
    .option('--role <role>', role)
    .option('--roles <tenant=role,...>', roleHelp.roles)
    .option('--fleet-roles <roles>', roleHelp.fleetRoles);
}

/** The store input of the assignment options (undefined where not given). */
export function assignmentInput(opts: AssignmentOptions): AssignmentOptions {
  return { tenant: opts.tenant, tenants: opts.tenants, role: opts.role, roles: opts.roles, fleetRoles: opts.fleetRoles };
}

export function tenantText(h: { tenant: string | null; tenants: string[] }): string {
  return `tenant=${h.tenant ?? '-'} tenants=${h.tenants.join(' ') || '-'}`;
}

export function roleText(h: { roles: Record<string, string>; fleetRoles: string[]; disabled: boolean }): string {
  const tenants = Object.entries(h.roles).map(([t, r]) => `${t}=${r}`).join(',') || '-';
  return `roles=${tenants} fleet=${h.fleetRoles.join(',') || '-'}${h.disabled ? ' disabled' : ''}`;
}

/** `assign <ref> <tenant> [--role]` and `unassign <ref> <tenant>`. */
export function registerMemberCommands(group: Command, kind: MemberKind, ref: string, assignDescription: string): void {
  group
    .command(`assign <${ref}> <tenant>`)
    .description(assignDescription)
    .option('--role <role>', `${tenantRoles.join(', ')} (default member; an existing member keeps its role)`)
    .action(async (id: string, tenant: string, opts: { role?: string }, cmd: Command) =>
      runAdminCommand(cmd, async (db) => print(await assignMember(db, kind, id, tenant, opts.role, cliActor()))),
    );
  group
    .command(`unassign <${ref}> <tenant>`)
    .description(`remove a ${kind} from a tenant`)
    .action(async (id: string, tenant: string, _opts, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        await unassignMember(db, kind, id, tenant, cliActor());
        process.stdout.write(`${kind} ${id} removed from ${tenant}\n`);
      }),
    );
}

/** `disable <ref>` and `enable <ref>`, through the store's update (`setDisabled`). */
export function registerDisableCommands(
  group: Command,
  kind: MemberKind,
  ref: string,
  setDisabled: (db: Database, id: string, disabled: boolean, actor: string) => Promise<unknown>,
  descriptions: { disable: string; enable: string },
): void {
  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    group
      .command(`${name} <${ref}>`)
      .description(descriptions[name])
      .action(async (id: string, _opts, cmd: Command) =>
        runAdminCommand(cmd, async (db) => {
          await setDisabled(db, id, disabled, cliActor());
          process.stdout.write(`${kind} ${id} ${name}d\n`);
        }),
      );
  }
}
