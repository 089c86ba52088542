/**
 * Validates a tenant assignment written by an administrator (`tenant` scalar default and
 * `tenants` set). Unlike token requests, an assignment is strict: a duplicate, a malformed
 * member or an empty value is refused with a stable code, and nothing changes.
 */
import { ContractError } from '../../contract/errors.ts';
import { DEFAULT_TENANT_ROLE, fleetRoles, isFleetRole, isTenantRole, scopesForRoles, tenantRoles, type FleetRole, type TenantRole } from '../../contract/roles.ts';
import { normalizeTenantId, sortedUnique } from '../../contract/tenant.ts';
import type { Queryable } from '../../db/database.ts';

export interface Assignment {
  tenant: string | null;
  tenants: string[];
}

const SET_SEPARATORS = /[ \t\r\n,;]+/;

/** Pure: parses `{tenant?, tenants?}` as given in an admin body or CLI flags. */
export function parseAssignment(input: { tenant?: unknown; tenants?: unknown }): Assignment {
  let tenant: string | null = null;
  if (input.tenant !== undefined && input.tenant !== null) {
    if (typeof input.tenant !== 'string' || input.tenant.trim() === '') {
      throw new ContractError('tenant_assignment_missing', 'tenant must be a non-empty tenant id');
    }
    tenant = normalizeTenantId(input.tenant);
    if (tenant === null) throw new ContractError('tenant_invalid', `tenant ${JSON.stringify(input.tenant)} is not a valid tenant id`);
  }
  const tenants: string[] = [];
  if (input.tenants !== undefined && input.tenants !== null) {
    const raw = typeof input.tenants === 'string' ? [input.tenants] : input.tenants;
    if (!Array.isArray(raw)) throw new ContractError('tenant_invalid', 'tenants must be a space-delimited string or an array of tenant ids');
    const members: string[] = [];
    for (const part of raw) {
      if (typeof part !== 'string') throw new ContractError('tenant_invalid', 'every member of tenants must be a string');
      const pieces = part.split(SET_SEPARATORS).filter((p) => p !== '');
      if (pieces.length === 0) throw new ContractError('tenant_assignment_missing', 'tenants holds an empty member');
      members.push(...pieces);
    }
    if (members.length === 0) throw new ContractError('tenant_assignment_missing', 'tenants is empty');
    for (const member of members) {
      const id = normalizeTenantId(member);
      if (id === null) throw new ContractError('tenant_invalid', `tenant ${JSON.stringify(member)} in tenants is not a valid tenant id`);
      if (tenants.includes(id)) throw new ContractError('tenant_duplicate', `tenant '${id}' appears more than once in tenants`);
      tenants.push(id);
    }
  }
  return { tenant, tenants: sortedUnique(tenants) };
}

export function assignmentIsEmpty(a: Assignment): boolean {
  return a.tenant === null && a.tenants.length === 0;
}

/** Refuses an assignment naming a tenant that does not exist (checked inside the writer's transaction). */
export async function assertTenantsExist(db: Queryable, a: Assignment): Promise<void> {
  const wanted = sortedUnique([...(a.tenant ? [a.tenant] : []), ...a.tenants]);
  if (wanted.length === 0) return;
  const { rows } = await db.query<{ id: string }>('select id from authority.tenants where id = any($1) for share', [wanted]);
  const known = new Set(rows.map((r) => r.id));
  const unknown = wanted.filter((t) => !known.has(t));
  if (unknown.length > 0) throw new ContractError('tenant_unknown', `unknown tenant(s): ${unknown.join(' ')}`);
}

/** A tenant role for every assigned tenant (keys are exactly the assigned set). */
export type TenantRoles = Record<string, TenantRole>;

export function assignedTenants(a: Assignment): string[] {
  return sortedUnique([...(a.tenant ? [a.tenant] : []), ...a.tenants]);
}

function parseRole(value: unknown, where: string): TenantRole {
  if (!isTenantRole(value)) throw new ContractError('role_invalid', `${where} must be one of ${tenantRoles.join(', ')} (got ${JSON.stringify(value)})`);
  return value;
}

/**
 * Pure: the roles of an assignment. `roles` names a role per tenant (`{"tenant-alpha":"admin"}`
 * or `tenant-alpha=admin,tenant-bravo=viewer`); `role` applies to every assigned tenant that
 * `roles` does not name; any other tenant keeps its previous role, else gets the default.
 * A role for a tenant outside the assignment is refused.
 */
export function resolveRoles(assigned: readonly string[], input: { role?: unknown; roles?: unknown }, previous: TenantRoles = {}): TenantRoles {
  const named: TenantRoles = {};
  if (input.roles !== undefined && input.roles !== null) {
    let entries: [string, unknown][];
    if (typeof input.roles === 'string') {
      entries = input.roles
        .split(/[ \t\r\n,;]+/)
        .filter(Boolean)
        .map((pair) => {
          const at = pair.indexOf('=');
          if (at <= 0) throw new ContractError('role_invalid', `roles entry ${JSON.stringify(pair)} must read tenant=role`);
          return [pair.slice(0, at), pair.slice(at + 1)];
        });
    } else if (typeof input.roles === 'object' && !Array.isArray(input.roles)) {
      entries = Object.entries(input.roles as Record<string, unknown>);
    } else {
      throw new ContractError('role_invalid', 'roles must map tenant ids to roles');
    }
    for (const [rawTenant, role] of entries) {
      const tenant = normalizeTenantId(rawTenant);
      if (tenant === null) throw new ContractError('tenant_invalid', `tenant ${JSON.stringify(rawTenant)} in roles is not a valid tenant id`);
      if (!assigned.includes(tenant)) throw new ContractError('tenant_not_assigned', `roles names tenant '${tenant}', which is not in the assignment`);
      named[tenant] = parseRole(role, `the role for ${tenant}`);
    }
  }
  const blanket = input.role === undefined || input.role === null ? null : parseRole(input.role, 'role');
  const roles: TenantRoles = {};
  for (const tenant of assigned) roles[tenant] = named[tenant] ?? blanket ?? previous[tenant] ?? DEFAULT_TENANT_ROLE;
  return roles;
}

/** Pure: a fleet role list (array or space/comma-delimited string; empty clears). */
export function parseFleetRoles(value: unknown): FleetRole[] {
  const list = typeof value === 'string' ? value.split(/[ \t\r\n,;]+/).filter((v) => v !== '' && v !== 'none') : value;
  if (!Array.isArray(list)) throw new ContractError('role_invalid', `fleetRoles must be a list of ${fleetRoles.join(', ')}`);
  for (const role of list) {
    if (!isFleetRole(role)) throw new ContractError('role_invalid', `fleet role ${JSON.stringify(role)} is not one of ${fleetRoles.join(', ')}`);
  }
  return [...new Set(list as FleetRole[])].sort();
}

/**
 * What a tenant admin may write: a record held by its own tenant alone, before and after,
 * with no fleet role. Fleet administrators (`reach.tenant === null`) may write anything.
 */
export interface WriteReach {
  /** The one tenant the writer administers; null for a fleet administrator. */
  tenant: string | null;
}

export const fleetReach: WriteReach = { tenant: null };

export function assertWithinReach(reach: WriteReach, what: string, assignment: Assignment | null, fleet: readonly string[] = []): void {
  if (reach.tenant === null || assignment === null) return;
  const held = assignedTenants(assignment);
  if (held.some((t) => t !== reach.tenant)) {
    throw new ContractError('tenant_forbidden', `${what} is assigned beyond tenant '${reach.tenant}': only a fleet operator may change it`);
  }
  if (fleet.length > 0) throw new ContractError('tenant_forbidden', `${what} holds a fleet role: only a fleet operator may change it`);
}

/** Pure: the tenants `before` covered that `after` no longer does (their tokens must stop working). */
export function removedTenants(before: Assignment, after: Assignment): string[] {
  const kept = new Set([...(after.tenant ? [after.tenant] : []), ...after.tenants]);
  return sortedUnique([...(before.tenant ? [before.tenant] : []), ...before.tenants].filter((t) => !kept.has(t)));
}

/** Pure: the tenants whose role now grants less than before (their tokens may carry scopes no longer held). */
export function loweredTenantRoles(before: TenantRoles, after: TenantRoles): string[] {
  return Object.keys(before)
    .filter((tenant) => after[tenant] !== undefined && scopesForRoles(before[tenant], []).some((s) => !scopesForRoles(after[tenant], []).includes(s)))
    .sort();
}

/** Pure: whether the fleet roles now grant less than before. */
export function fleetRolesLowered(before: readonly FleetRole[], after: readonly FleetRole[]): boolean {
  const kept = scopesForRoles(null, after);
  return scopesForRoles(null, before).some((s) => !kept.includes(s));
}
