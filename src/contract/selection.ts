/** The tenant selection rule at issuance (CONTRACT.md §3): one pure, deterministic function. */
import { normalizeTenantId, sortedUnique } from './tenant.ts';

export type SelectionHow = 'requested' | 'default' | 'single';
export type SelectionRejection =
  | 'duplicate_parameter'
  | 'tenant_invalid'
  | 'tenant_not_assigned'
  | 'tenant_unassigned'
  | 'tenant_ambiguous';

export interface AssignmentInput {
  /** Scalar default tenant (already normalized), if any. */
  tenant?: string | null;
  /** Assigned set (already normalized). */
  tenants?: readonly string[];
}

export interface SelectionInput {
  grant: 'client_credentials' | 'password' | 'authorization_code' | 'refresh_token';
  client: AssignmentInput;
  /** Present for user grants. */
  user?: AssignmentInput;
  /** Every value the request carried for the tenant parameter (0, 1 or more). */
  requested: readonly string[];
}

export type SelectionResult =
  | { ok: true; tenant: string; how: SelectionHow; assigned: string[]; requested: string | null }
  | { ok: false; code: SelectionRejection; assigned: string[]; requested: string | null; detail: string };

function setOf(a: AssignmentInput): string[] {
  const members = [...(a.tenants ?? [])];
  if (a.tenant) members.push(a.tenant);
  return sortedUnique(members);
}

/** The assigned set A of CONTRACT.md §3 for a grant. */
export function assignedSet(input: Pick<SelectionInput, 'grant' | 'client' | 'user'>): string[] {
  const clientSet = setOf(input.client);
  if (input.grant === 'client_credentials' || !input.user) return clientSet;
  const userSet = setOf(input.user);
  if (clientSet.length === 0) return userSet;
  const allowed = new Set(clientSet);
  return userSet.filter((t) => allowed.has(t));
}

export function selectTenant(input: SelectionInput): SelectionResult {
  const assigned = assignedSet(input);
  const isUserGrant = input.grant !== 'client_credentials' && input.user !== undefined;
  const defaultTenant = (isUserGrant ? input.user?.tenant : input.client.tenant) ?? null;

  if (input.requested.length > 1) {
    return { ok: false, code: 'duplicate_parameter', assigned, requested: null, detail: 'the tenant parameter was sent more than once' };
  }
  if (input.requested.length === 1) {
    const raw = input.requested[0];
    const requested = normalizeTenantId(raw);
    if (requested === null) {
      return { ok: false, code: 'tenant_invalid', assigned, requested: null, detail: 'the requested tenant is not a valid tenant id' };
    }
    if (!assigned.includes(requested)) {
      return { ok: false, code: 'tenant_not_assigned', assigned, requested, detail: `tenant '${requested}' is not assigned to this caller` };
    }
    return { ok: true, tenant: requested, how: 'requested', assigned, requested };
  }
  if (defaultTenant && assigned.includes(defaultTenant)) {
    return { ok: true, tenant: defaultTenant, how: 'default', assigned, requested: null };
  }
  if (assigned.length === 1) {
    return { ok: true, tenant: assigned[0], how: 'single', assigned, requested: null };
  }
  if (assigned.length === 0) {
    return { ok: false, code: 'tenant_unassigned', assigned, requested: null, detail: 'no tenant is assigned to this caller' };
  }
  return {
    ok: false,
    code: 'tenant_ambiguous',
    assigned,
    requested: null,
    detail: `several tenants are assigned (${assigned.join(' ')}) and no default is set: name one with the tenant parameter`,
  };
}
