/**
 * Tenant membership of a user or client: assign to one tenant with a role (or change that
 * role), or remove from one tenant. A tenant admin manages its own tenant's members this way
 * — including members other tenants share — without reaching their other assignments or
 * their fleet roles.
 */
import { ContractError } from '../../contract/errors.ts';
import { normalizeTenantId } from '../../contract/tenant.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import { recordRevocation } from '../tokens/revocations.ts';
import { assertTenantsExist, assignedTenants, fleetReach, loweredTenantRoles, resolveRoles, type TenantRoles, type WriteReach } from './assignment.ts';

export type MemberKind = 'user' | 'client';

export interface Membership {
  kind: MemberKind;
  /** Username (or user id) for a user, client id for a client. */
  id: string;
  tenant: string;
  role: string;
}

const tables = {
  user: { table: 'authority.users', match: 'username = $1 or id = $1', name: 'username' },
  client: { table: 'authority.clients', match: 'client_id = $1', name: 'client_id' },
} as const;

/** Whose tokens a membership change revokes: the client's (its users' through it too) or the user's. */
function holderOf(kind: MemberKind, row: { id?: string; client_id?: string }): { clientId: string } | { subject: string } {
  return kind === 'client' ? { clientId: row.client_id! } : { subject: row.id! };
}

function requireTenant(raw: string, reach: WriteReach): string {
  const tenant = normalizeTenantId(raw);
  if (tenant === null) throw new ContractError('tenant_invalid', `tenant ${JSON.stringify(raw)} is not a valid tenant id`);
  if (reach.tenant !== null && reach.tenant !== tenant) throw new ContractError('tenant_forbidden', `a tenant admin of '${reach.tenant}' cannot manage the members of '${tenant}'`);
  return tenant;
}

/** The row of the user or client `ref`, locked for the change; not_found when there is none. */
async function lockMember(tx: Queryable, kind: MemberKind, ref: string): Promise<any> {
  const t = tables[kind];
  const { rows } = await tx.query(`select * from ${t.table} where ${t.match} for update`, [ref]);
  if (!rows[0]) throw new ContractError('not_found', `${kind} '${ref}' does not exist`);
  return rows[0];
}

/** Assigns `ref` to `tenant` with `role`, or changes its role there. */
export async function assignMember(db: Database, kind: MemberKind, ref: string, rawTenant: string, role: unknown, actor: string, reach: WriteReach = fleetReach): Promise<Membership> {
  const tenant = requireTenant(rawTenant, reach);
  const t = tables[kind];
  return db.withTransaction(async (tx) => {
    const before = await lockMember(tx, kind, ref);
    const held = assignedTenants({ tenant: before.tenant, tenants: before.tenants });
    // A client without tenants leaves A to its users (the console): one tenant's set would narrow every tenant's logins.
    if (reach.tenant !== null && kind === 'client' && held.length === 0) {
      throw new ContractError('tenant_forbidden', `client '${before[t.name]}' is assigned to no tenant (its users bring theirs): only a fleet operator may assign it`);
    }
    await assertTenantsExist(tx, { tenant: null, tenants: [tenant] });
    const tenants: string[] = held.includes(tenant) ? before.tenants : [...before.tenants, tenant].sort();
    // Joining a tenant never changes which tenant is selected when a request names none: a sole tenant becomes the default.
    const scalar: string | null = before.tenant ?? (held.length === 1 && held[0] !== tenant ? held[0] : null);
    const roles: TenantRoles = resolveRoles(assignedTenants({ tenant: scalar, tenants }), role === undefined || role === null ? {} : { roles: { [tenant]: role } }, before.roles ?? {});
    await tx.query(`update ${t.table} set tenant = $2, tenants = $3, roles = $4, updated_at = now() where ${t.name} = $1`, [before[t.name], scalar, tenants, JSON.stringify(roles)]);
    // A lowered role: the tokens for that tenant may carry scopes the role no longer grants.
    if (loweredTenantRoles(before.roles ?? {}, roles).includes(tenant)) await recordRevocation(tx, { ...holderOf(kind, before), tenant, reason: 'role lowered' });
    const name: string = before[t.name];
    await writeAudit(tx, {
      type: `authority.${kind}.member_assigned`,
      outcome: 'success',
      actor,
      tenant,
      ...(kind === 'client' ? { client: name } : {}),
      properties: { [kind]: name, tenant, before: before.roles?.[tenant] ?? null, after: roles[tenant] },
    });
    return { kind, id: name, tenant, role: roles[tenant] };
  });
}

/** Removes `ref` from `tenant` (its default tenant too, when that was it). A user keeps at least one tenant. */
export async function unassignMember(db: Database, kind: MemberKind, ref: string, rawTenant: string, actor: string, reach: WriteReach = fleetReach): Promise<void> {
  const tenant = requireTenant(rawTenant, reach);
  const t = tables[kind];
  await db.withTransaction(async (tx) => {
    const before = await lockMember(tx, kind, ref);
    const name: string = before[t.name];
    if (!assignedTenants({ tenant: before.tenant, tenants: before.tenants }).includes(tenant)) {
      throw new ContractError('not_found', `${kind} '${name}' is not a member of tenant '${tenant}'`);
    }
    const tenants = (before.tenants as string[]).filter((x) => x !== tenant);
    const scalar = before.tenant === tenant ? null : before.tenant;
    const remaining = assignedTenants({ tenant: scalar, tenants });
    if (remaining.length === 0 && (kind === 'user' || (before.grant_types as string[]).includes('client_credentials'))) {
      throw new ContractError('tenant_assignment_missing', `tenant '${tenant}' is the last assignment of ${kind} '${name}': delete the ${kind} instead`);
    }
    const roles: TenantRoles = Object.fromEntries(Object.entries((before.roles ?? {}) as TenantRoles).filter(([k]) => k !== tenant));
    await tx.query(`update ${t.table} set tenant = $2, tenants = $3, roles = $4, updated_at = now() where ${t.name} = $1`, [name, scalar, tenants, JSON.stringify(roles)]);
    await recordRevocation(tx, { ...holderOf(kind, before), tenant, reason: `tenant removed from the ${kind}` });
    await writeAudit(tx, {
      type: `authority.${kind}.member_removed`,
      outcome: 'success',
      actor,
      tenant,
      ...(kind === 'client' ? { client: name } : {}),
      properties: { [kind]: name, tenant, before: before.roles?.[tenant] ?? null, after: null },
    });
  });
}
