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
import { builtInServices, serviceRoleScopes, type ServiceDefinition, type ServiceRole } from './services.ts';

export const tenantRoles = ['viewer', 'member', 'admin'] as const;
export type TenantRole = (typeof tenantRoles)[number];
// The services' role names are these (a compile error here when the lists part).
const sameRoles: [TenantRole, ServiceRole] extends [ServiceRole, TenantRole] ? true : never = true;
void sameRoles;

export const fleetRoles = ['operator', 'auditor'] as const;
export type FleetRole = (typeof fleetRoles)[number];

/** The role an assignment gets when none is named (a member: today's module scopes). */
export const DEFAULT_TENANT_ROLE: TenantRole = 'member';

/** What a tenant role grants apart from the services' scopes (the Authority's and the rollout's own). */
const ownScopes: Record<TenantRole, readonly Scope[]> = {
  viewer: [scopes.rolloutRead],
  member: [scopes.rolloutRead, scopes.legacyReport],
  admin: [scopes.rolloutRead, scopes.legacyReport, scopes.clientsRead, scopes.clientsWrite, scopes.usersRead, scopes.usersWrite, scopes.auditRead],
};

const fleetScopes: Readonly<Record<FleetRole, readonly Scope[]>> = {
  operator: [scopes.rolloutRead, scopes.rolloutWrite, scopes.tenantsRead, scopes.tenantsWrite, scopes.fleetRead, scopes.fleetWrite],
  auditor: [scopes.rolloutRead, scopes.tenantsRead, scopes.fleetRead, scopes.auditFleet],
};

export interface RoleTable {
  readonly tenant: Readonly<Record<TenantRole, readonly string[]>>;
  readonly fleet: Readonly<Record<FleetRole, readonly string[]>>;
}

/**
 * The role table for a list of services: each tenant role holds its own scopes, the scopes
 * each service gives that role (src/contract/services.ts: its read scopes to `viewer`, the
 * rest to `member`, unless the service names its role grants) and everything of the roles
 * below it. Fleet roles hold no service scopes.
 */
export function roleTableFor(services: readonly ServiceDefinition[]): RoleTable {
  const tenant = {} as Record<TenantRole, string[]>;
  let below: string[] = [];
  for (const role of tenantRoles) {
    const granted = new Set<string>([...below, ...ownScopes[role]]);
    for (const service of services) for (const s of serviceRoleScopes(service)[role]) granted.add(s);
    below = [...granted];
    tenant[role] = below;
  }
  return { tenant, fleet: fleetScopes };
}

/** The table of a deployment that declares no services beyond the built-in ones. */
export const roleScopes: { readonly tenant: Readonly<Record<TenantRole, readonly Scope[]>>; readonly fleet: Readonly<Record<FleetRole, readonly Scope[]>> } = roleTableFor(
  Object.values(builtInServices),
) as RoleTable & { tenant: Record<TenantRole, Scope[]>; fleet: Record<FleetRole, Scope[]> };

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
export function scopesForRoles(tenantRole: TenantRole | null, fleet: readonly FleetRole[], table: RoleTable = roleScopes): string[] {
  const granted = new Set<string>(tenantRole ? table.tenant[tenantRole] : []);
  for (const role of fleet) for (const s of table.fleet[role]) granted.add(s);
  return [...granted].sort();
}
