/**
 * Scope names tenantgate issues and enforces. The gateway route table and the Authority's
 * admin API read them from here; which role grants which scope is src/contract/roles.ts.
 *
 * `authority:clients.*`, `authority:users.*` and `authority:audit.read` reach only the
 * token's selected tenant (a tenant admin's scopes); `authority:fleet.*`,
 * `authority:audit.fleet`, `authority:tenants.*` and `rollout:write` reach every tenant
 * and come only from a fleet role.
 */
export const scopes = {
  platformRead: 'platform:read',
  platformWrite: 'platform:write',
  scannerRead: 'scanner:read',
  scannerWrite: 'scanner:write',
  graphRead: 'graph:read',
  graphQuery: 'graph:query',
  graphExport: 'graph:export',
  graphWrite: 'graph:write',
  tenantsRead: 'authority:tenants.read',
  tenantsWrite: 'authority:tenants.write',
  clientsRead: 'authority:clients.read',
  clientsWrite: 'authority:clients.write',
  usersRead: 'authority:users.read',
  usersWrite: 'authority:users.write',
  auditRead: 'authority:audit.read',
  fleetRead: 'authority:fleet.read',
  fleetWrite: 'authority:fleet.write',
  auditFleet: 'authority:audit.fleet',
  /** Held in a client's scopes: the client may introspect tokens issued to other clients (a resource server). */
  introspect: 'authority:introspect',
  /** Held by a service's reporting client: it may send the service's legacy-use counts to the gateway. */
  legacyReport: 'legacy:report',
  rolloutRead: 'rollout:read',
  rolloutWrite: 'rollout:write',
} as const;

export type Scope = (typeof scopes)[keyof typeof scopes];

export const moduleScopes: Scope[] = [
  scopes.platformRead,
  scopes.platformWrite,
  scopes.scannerRead,
  scopes.scannerWrite,
  scopes.graphRead,
  scopes.graphQuery,
  scopes.graphExport,
  scopes.graphWrite,
];

export const adminScopes: Scope[] = [
  scopes.tenantsRead,
  scopes.tenantsWrite,
  scopes.clientsRead,
  scopes.clientsWrite,
  scopes.usersRead,
  scopes.usersWrite,
  scopes.auditRead,
  scopes.fleetRead,
  scopes.fleetWrite,
  scopes.auditFleet,
];

export const rolloutScopes: Scope[] = [scopes.rolloutRead, scopes.rolloutWrite];

/** Path of the console's OAuth redirect, relative to the public (gateway) URL. */
export const CONSOLE_CALLBACK_PATH = '/auth/callback';
export const CONSOLE_CLIENT_ID = 'stellaops-console';
