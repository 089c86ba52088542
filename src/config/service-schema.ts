/**
 * `services.<name>`: one service behind the gateway (its origin, route prefixes with their
 * scopes, the initial values of its legacy-header flags, its role grants and the clients that
 * may report its legacy use), and the checks across entries that stop a start with the key
 * and the reason: a missing or non-URL `url`, a duplicate prefix, a prefix shadowing a
 * built-in route, a scope that is another service's or tenantgate's own. Unknown keys are
 * reported by src/config/unknown-settings.ts like everywhere else.
 */
import { z } from 'zod';
import { scopes as tenantgateScopes } from '../contract/scopes.ts';
import { builtInServices, isBuiltInService, prefixCovers, reservedServiceNames, SERVICE_NAME, serviceScopes, type ServiceRoute } from '../contract/services.ts';

const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'a scope is one token of printable ASCII without spaces, quotes or backslashes');
const httpUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
}, 'not a URL: expected http(s)://host[:port]');

const serviceRouteSchema = z.object({
  prefix: z.string().startsWith('/', 'a prefix starts with /'),
  access: z.enum(['public', 'protected']).default('protected'),
  scopes: z.array(scopeToken).default([]),
  /** Scopes per HTTP method, overriding `scopes` for that method. */
  methodScopes: z.record(z.string().regex(/^[A-Za-z]+$/, 'an HTTP method'), z.array(scopeToken)).default({}),
});

/**
 * One service behind the gateway (`services.<name>`): Platform, Scanner and Graph are default
 * entries (src/config/services.ts); any other name declares an external service.
 */
export const serviceSchema = z.object({
  /** Origin the gateway forwards to; required for an external service. */
  url: httpUrl.optional(),
  routes: z.array(serviceRouteSchema).optional(),
  /** Initial values of `<name>.acceptLegacyHeaders` and `<name>.emitLegacyHeaders`. */
  legacyHeaders: z.object({ accept: z.boolean().default(true), emit: z.boolean().default(true) }).prefault({}),
  /** Which tenant role adds which of the service's scopes; absent: GET/HEAD scopes to viewer, the rest to member. */
  roles: z.object({ viewer: z.array(scopeToken).default([]), member: z.array(scopeToken).default([]), admin: z.array(scopeToken).default([]) }).optional(),
  /** Clients whose tokens may report the service's legacy use (default: the client named like the service). */
  reportClients: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'a client id')).optional(),
});

export type ServiceConfig = z.infer<typeof serviceSchema>;

/**
 * Paths the gateway keeps for the Authority and for itself. A declared prefix may not fall
 * under one (it would take requests meant for them).
 */
export const componentRoutes: readonly { prefix: string; owner: string }[] = [
  { prefix: '/.well-known/', owner: 'the Authority' },
  { prefix: '/connect/', owner: 'the Authority' },
  { prefix: '/console/', owner: 'the Authority' },
  { prefix: '/admin/', owner: 'the Authority' },
  { prefix: '/gateway/', owner: 'the gateway' },
  { prefix: '/healthz', owner: 'the gateway' },
  { prefix: '/readyz', owner: 'the gateway' },
  { prefix: '/metrics', owner: 'the gateway' },
];

/** OpenID scopes the Authority grants itself: no service may name them. */
const openIdScopeNames = ['openid', 'profile', 'offline_access'];

export interface ServiceIssue {
  path: (string | number)[];
  message: string;
}

/** A service's routes in force: its own entry's, else the built-in default ones. */
export function effectiveRoutes(name: string, entry: ServiceConfig | undefined): readonly ServiceRoute[] {
  if (entry?.routes) return entry.routes;
  return isBuiltInService(name) ? builtInServices[name].routes : [];
}

export function serviceIssues(services: Record<string, ServiceConfig>): ServiceIssue[] {
  const issues: ServiceIssue[] = [];
  const names = [...Object.keys(builtInServices).filter((n) => !Object.hasOwn(services, n)), ...Object.keys(services)];
  const routeOwner = new Map<string, string>();
  const scopeOwner = new Map<string, string>();
  const ownScopes = new Set<string>([...Object.values(tenantgateScopes), ...openIdScopeNames]);
  // Built-in routes first: a declared route is measured against them.
  for (const name of names) {
    const entry = services[name];
    const builtIn = isBuiltInService(name);
    const at = (...rest: (string | number)[]) => ['services', name, ...rest];
    if (!SERVICE_NAME.test(name)) {
      issues.push({ path: at(), message: `a service name is lower-case letters, digits and -, starting with a letter (${SERVICE_NAME.source})` });
      continue;
    }
    if (reservedServiceNames.includes(name)) {
      issues.push({ path: at(), message: `${name} is a tenantgate component, not a service behind the gateway` });
      continue;
    }
    if (!builtIn && entry && entry.url === undefined) issues.push({ path: at('url'), message: 'an external service needs url (the origin the gateway forwards to)' });
    const routes = effectiveRoutes(name, entry);
    if (!builtIn && routes.length === 0) issues.push({ path: at('routes'), message: 'an external service needs at least one route' });
    routes.forEach((route, i) => {
      const where = entry?.routes ? at('routes', i, 'prefix') : at();
      const taken = routeOwner.get(route.prefix);
      if (taken !== undefined) {
        issues.push({ path: where, message: `duplicate prefix ${route.prefix}: ${taken} declares it already` });
        return;
      }
      if (entry?.routes) {
        if (route.prefix === '/') {
          issues.push({ path: where, message: 'the prefix / would take every path the gateway does not route, the console included' });
          return;
        }
        const component = componentRoutes.find((c) => prefixCovers(c.prefix, route.prefix));
        if (component) {
          issues.push({ path: where, message: `prefix ${route.prefix} shadows the built-in route ${component.prefix} of ${component.owner}` });
          return;
        }
        if (!builtIn) {
          const shadowed = [...routeOwner].find(([prefix, owner]) => owner.startsWith('the built-in') && prefixCovers(prefix, route.prefix));
          if (shadowed) {
            issues.push({ path: where, message: `prefix ${route.prefix} shadows the built-in route ${shadowed[0]} of ${shadowed[1]}` });
            return;
          }
        }
      }
      routeOwner.set(route.prefix, builtIn ? `the built-in service ${name}` : `services.${name}`);
    });
    const own = serviceScopes({ routes });
    if (!builtIn && entry?.routes) {
      const reported = new Set<string>();
      entry.routes.forEach((route, i) => {
        const named: [(string | number)[], string][] = [
          ...route.scopes.map((scope, j): [(string | number)[], string] => [at('routes', i, 'scopes', j), scope]),
          ...Object.entries(route.methodScopes).flatMap(([method, list]) => list.map((scope, j): [(string | number)[], string] => [at('routes', i, 'methodScopes', method, j), scope])),
        ];
        for (const [path, scope] of named) {
          if (reported.has(scope)) continue;
          if (ownScopes.has(scope)) issues.push({ path, message: `scope ${scope} is tenantgate's own: a service names scopes of its own (e.g. ${name}:read)` });
          else if (scopeOwner.has(scope)) issues.push({ path, message: `scope ${scope} belongs to ${scopeOwner.get(scope)}` });
          else continue;
          reported.add(scope);
        }
      });
    }
    for (const scope of own) if (!scopeOwner.has(scope)) scopeOwner.set(scope, builtIn ? `the built-in service ${name}` : `services.${name}`);
    if (entry?.roles) {
      for (const [role, list] of Object.entries(entry.roles)) {
        list.forEach((scope, j) => {
          if (!own.includes(scope)) issues.push({ path: at('roles', role, j), message: `scope ${scope} is named by no route of ${name}` });
        });
      }
    }
  }
  return issues;
}
