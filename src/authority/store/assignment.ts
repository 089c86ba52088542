/**
 * Validates a tenant assignment written by an administrator (`tenant` scalar default and
 * `tenants` set). Unlike token requests, an assignment is strict: a duplicate, a malformed
 * member or an empty value is refused with a stable code, and nothing changes.
 */
import { ContractError } from '../../contract/errors.ts';
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

/** Pure: the tenants `before` covered that `after` no longer does (their tokens must stop working). */
export function removedTenants(before: Assignment, after: Assignment): string[] {
  const kept = new Set([...(after.tenant ? [after.tenant] : []), ...after.tenants]);
  return sortedUnique([...(before.tenant ? [before.tenant] : []), ...before.tenants].filter((t) => !kept.has(t)));
}
