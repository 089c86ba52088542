/**
 * The services behind the gateway, as data: a name (the identity assertion's `aud`), route
 * prefixes with their scopes, and which tenant role grants which of those scopes. Platform,
 * Scanner and Graph are the built-in entries of the list a deployment extends with
 * `services.<name>` (src/config/services.ts). Pure, no I/O.
 */
import { scopes } from './scopes.ts';

export interface ServiceRoute {
  prefix: string;
  access: 'public' | 'protected';
  scopes: readonly string[];
  /** Scopes per HTTP method (upper case), overriding `scopes` for that method. */
  methodScopes: Readonly<Record<string, readonly string[]>>;
}

/** The tenant roles (src/contract/roles.ts holds the same list: a test compares them). */
export type ServiceRole = 'viewer' | 'member' | 'admin';

/** The scopes of a service a tenant role adds (each role also holds the lower roles' scopes). */
export type ServiceRoleScopes = Partial<Record<ServiceRole, readonly string[]>>;

export interface ServiceDefinition {
  routes: readonly ServiceRoute[];
  /** Explicit role grants; absent = derived by `serviceRoleScopes`. */
  roles?: ServiceRoleScopes;
}

/** A service name: what `aud` carries and what its flags are prefixed with. */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Names a declared service cannot take: the components that are not services behind the gateway. */
export const reservedServiceNames: readonly string[] = ['authority', 'gateway', 'console', 'web'];

/** The scope a reporting client needs to send a service's legacy-use counts to the gateway. */
export const LEGACY_REPORT_SCOPE = scopes.legacyReport;

/** Where the gateway takes legacy-use reports (docs/spec/GATEWAY.md §5). */
export const LEGACY_REPORT_PATH = '/gateway/v1/legacy-use';

function readWrite(read: string, write: string): Pick<ServiceRoute, 'scopes' | 'methodScopes'> {
  return { scopes: [write], methodScopes: { GET: [read], HEAD: [read] } };
}

function route(prefix: string, access: ServiceRoute['access'], extra: Partial<ServiceRoute> = {}): ServiceRoute {
  return { prefix, access, scopes: [], methodScopes: {}, ...extra };
}

const scanner = readWrite(scopes.scannerRead, scopes.scannerWrite);

/** The built-in services: default entries of `services`, served by tenantgate's own modules. */
export const builtInServices = {
  platform: { routes: [route('/api/v1/platform/', 'protected', readWrite(scopes.platformRead, scopes.platformWrite))] },
  scanner: {
    routes: [
      route('/api/v1/scans', 'protected', scanner),
      route('/api/v1/triage', 'protected', scanner),
      route('/api/v1/unknowns', 'protected', scanner),
      route('/api/v1/webhooks/sources', 'protected', scanner),
      // Webhook receive: the sender proves its tenant with the payload signature, not a token.
      route('/api/v1/webhooks/', 'public'),
    ],
  },
  graph: {
    routes: [
      route('/api/v1/graph/nodes/', 'protected', { scopes: [scopes.graphRead] }),
      route('/api/v1/graph/search', 'protected', { scopes: [scopes.graphRead] }),
      route('/api/v1/graph/query', 'protected', { scopes: [scopes.graphQuery] }),
      route('/api/v1/graph/export', 'protected', { scopes: [scopes.graphExport] }),
      route('/api/v1/graph/sboms', 'protected', { scopes: [scopes.graphWrite] }),
      route('/api/v1/graph/', 'protected', readWrite(scopes.graphRead, scopes.graphWrite)),
    ],
    // A dependency query is a read (POST only for its body): viewers may run it.
    roles: { viewer: [scopes.graphRead, scopes.graphQuery], member: [scopes.graphExport, scopes.graphWrite] },
  },
} as const satisfies Record<string, ServiceDefinition>;

export type BuiltInServiceName = keyof typeof builtInServices;
export const builtInServiceNames = Object.keys(builtInServices) as BuiltInServiceName[];

export function isBuiltInService(name: string): name is BuiltInServiceName {
  return Object.hasOwn(builtInServices, name);
}

/** Methods whose route scopes are read scopes. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/** Every scope a service's routes name, sorted. */
export function serviceScopes(service: Pick<ServiceDefinition, 'routes'>): string[] {
  const all = new Set<string>();
  for (const r of service.routes) {
    for (const s of r.scopes) all.add(s);
    for (const list of Object.values(r.methodScopes)) for (const s of list) all.add(s);
  }
  return [...all].sort();
}

/**
 * Which tenant role adds which of a service's scopes: the explicit `roles` when given, else
 * its read scopes (those GET and HEAD require) to `viewer` and every other scope its routes
 * name to `member`. A role holds the scopes of the roles below it as well.
 */
export function serviceRoleScopes(service: ServiceDefinition): Record<ServiceRole, string[]> {
  if (service.roles) return { viewer: [...(service.roles.viewer ?? [])], member: [...(service.roles.member ?? [])], admin: [...(service.roles.admin ?? [])] };
  const read = new Set<string>();
  for (const r of service.routes) {
    for (const [method, list] of Object.entries(r.methodScopes)) if (READ_METHODS.has(method.toUpperCase())) for (const s of list) read.add(s);
  }
  const other = serviceScopes(service).filter((s) => !read.has(s));
  return { viewer: [...read].sort(), member: other, admin: [] };
}

/**
 * Whether a route prefix takes `path`: `/api/v1/scans` takes `/api/v1/scans` and
 * `/api/v1/scans/…`, never `/api/v1/scansx`; a prefix ending in `/` takes everything below it.
 */
export function prefixCovers(prefix: string, path: string): boolean {
  if (!path.startsWith(prefix)) return false;
  if (prefix.endsWith('/') || path.length === prefix.length) return true;
  return path.charCodeAt(prefix.length) === 47;
}
