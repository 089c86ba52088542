/**
 * Roles → scopes: the one table that says what a role may do. Pure, no I/O.
 *
 * Two kinds of role, held apart:
 * - a *tenant role* belongs to one tenant assignment of a user or client (`admin` in alpha,
 *   `viewer` in bravo). A token's tenant scopes come from the role in its selected tenant, so
 *   switching tenant can change them.
 * - a *fleet role* (`operator`, `auditor`) is held by a user or client as such, whatever the
 *   tenant. Fleet scopes — rollout writes and flags, tenant administration, clients and
 *   users across tenants, the audit log of every tenant — come from a fleet role only.
 */
import { scopes, type Scope } from './scopes.ts';

export const tenantRoles = ['viewer', 'member', 'admin'] as const;
export type TenantRole = (typeof tenantRoles)[number];

export const fleetRoles = ['operator', 'auditor'] as const;
export type FleetRole = (typeof fleetRoles)[number];

/** The role an assignment gets when none is named (a member: today's module scopes). */
export const DEFAULT_TENANT_ROLE: TenantRole = 'member';

const viewer: Scope[] = [scopes.platformRead, scopes.scannerRead, scopes.graphRead, scopes.graphQuery, scopes.rolloutRead];
const member: Scope[] = [...viewer, scopes.platformWrite, scopes.scannerWrite, scopes.graphExport, scopes.graphWrite];
const admin: Scope[] = [...member, scopes.clientsRead, scopes.clientsWrite, scopes.usersRead, scopes.usersWrite, scopes.auditRead];

export const roleScopes: { readonly tenant: Readonly<Record<TenantRole, readonly Scope[]>>; readonly fleet: Readonly<Record<FleetRole, readonly Scope[]>> } = {
  tenant: { viewer, member, admin },
  fleet: {
    operator: [scopes.rolloutRead, scopes.rolloutWrite, scopes.tenantsRead, scopes.tenantsWrite, scopes.fleetRead, scopes.fleetWrite],
    auditor: [scopes.rolloutRead, scopes.tenantsRead, scopes.fleetRead, scopes.auditFleet],
  },
};

/** Scopes only a fleet role grants: never derived from a tenant role. */
export const fleetOnlyScopes: readonly Scope[] = [...new Set(Object.values(roleScopes.fleet).flat())].filter(
  (s) => !Object.values(roleScopes.tenant).some((list) => list.includes(s)),
);

export function isTenantRole(value: unknown): value is TenantRole {
  return typeof value === 'string' && (tenantRoles as readonly string[]).includes(value);
}

export function isFleetRole(value: unknown): value is FleetRole {
  return typeof value === 'string' && (fleetRoles as readonly string[]).includes(value);
}

/**
 * Every scope a holder may receive in one tenant: its role there (none when it holds no role
 * there) plus its fleet roles. Sorted, unique.
 */
export function scopesForRoles(tenantRole: TenantRole | null, fleet: readonly FleetRole[]): Scope[] {
  const granted = new Set<Scope>(tenantRole ? roleScopes.tenant[tenantRole] : []);
  for (const role of fleet) for (const s of roleScopes.fleet[role]) granted.add(s);
  return [...granted].sort();
}
