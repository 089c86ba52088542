/**
 * The gateway route table: path prefix → upstream, public or protected, required scopes
 * (per method), the service name (the identity assertion's `aud`) and options. The Authority's
 * routes, then one entry per route of every service in force (src/config/services.ts:
 * Platform, Scanner, Graph and each `services.<name>`). `gateway.routes` replaces the
 * Authority's and the built-in services' routes; declared external services are added to it.
 */
import { componentUrl, type Config, type ComponentName, type RouteConfig } from '../config/schema.ts';
import { declaredServices, type DeclaredService } from '../config/services.ts';
import { builtInServiceNames, builtInServices, prefixCovers, type ServiceRoute } from '../contract/services.ts';

function route(prefix: string, upstream: RouteConfig['upstream'], access: RouteConfig['access'], extra: Partial<RouteConfig> = {}): RouteConfig {
  return { prefix, upstream, access, scopes: [], methodScopes: {}, forwardAuthorization: false, ...extra };
}

/** The Authority's routes (src/config/service-schema.ts keeps their prefixes from declared services). */
export function authorityRoutes(): RouteConfig[] {
  return [
    route('/.well-known/', 'authority', 'public'),
    // Client authentication at the token, introspection and revocation endpoints may use HTTP Basic.
    route('/connect/', 'authority', 'public', { forwardAuthorization: true }),
    route('/console/', 'authority', 'protected', { forwardAuthorization: true }),
    route('/admin/', 'authority', 'protected', { forwardAuthorization: true }),
  ];
}

function serviceRoutes(name: string, upstream: string, routes: readonly ServiceRoute[]): RouteConfig[] {
  return routes.map((r) =>
    route(r.prefix, upstream, r.access, { module: name, scopes: [...r.scopes], methodScopes: Object.fromEntries(Object.entries(r.methodScopes).map(([m, l]) => [m, [...l]])) }),
  );
}

function declaredRoutes(services: readonly DeclaredService[]): RouteConfig[] {
  return services.flatMap((s) => serviceRoutes(s.name, s.url, s.routes));
}

/**
 * The route table of a configuration without `gateway.routes`: the Authority's routes and
 * every declared service's. Without a configuration: the built-in services at their
 * component upstreams.
 */
export function defaultRoutes(config?: Config): RouteConfig[] {
  if (config) return [...authorityRoutes(), ...declaredRoutes(declaredServices(config))];
  return [...authorityRoutes(), ...builtInServiceNames.flatMap((name) => serviceRoutes(name, name, builtInServices[name].routes))];
}

/** `gateway.routes` (the Authority's and the built-in services' routes, replaced) plus the declared external services. */
export function configuredRoutes(config: Config): RouteConfig[] {
  if (!config.gateway.routes) return defaultRoutes(config);
  return [...config.gateway.routes, ...declaredRoutes(declaredServices(config).filter((s) => !s.builtIn))];
}

export interface CompiledRoute {
  prefix: string;
  /** Origin of the upstream (no trailing slash). */
  origin: string;
  /** The upstream's `Host` (the origin's host and port). */
  host: string;
  /** What readiness calls the upstream publicly: the component, the module, or the route. */
  upstreamName: string;
  access: 'public' | 'protected';
  module: string | null;
  /** `<service>.emitLegacyHeaders` when the route belongs to a service with that flag. */
  emitLegacyFlag: string | null;
  forwardAuthorization: boolean;
  scopesFor(method: string): readonly string[];
}

export interface RouteTable {
  routes: CompiledRoute[];
  match(path: string): CompiledRoute | null;
}

const componentUpstreams = new Set<string>(['authority', 'platform', 'scanner', 'graph', 'gateway']);

/** `hasFlag` tells which `<service>.emitLegacyHeaders` flags the deployment has (its flag catalogue). */
export function compileRoutes(config: Config, routes: RouteConfig[] = configuredRoutes(config), hasFlag: (name: string) => boolean = () => true): RouteTable {
  const compiled = routes
    .filter((r) => r.upstream !== 'console')
    .map((r): CompiledRoute => {
      const origin = componentUpstreams.has(r.upstream) ? componentUrl(config, r.upstream as ComponentName) : new URL(r.upstream).origin;
      const flag = r.module ? `${r.module}.emitLegacyHeaders` : null;
      const methodScopes = new Map(Object.entries(r.methodScopes).map(([m, s]) => [m.toUpperCase(), s]));
      return {
        prefix: r.prefix,
        origin,
        host: new URL(origin).host,
        upstreamName: componentUpstreams.has(r.upstream) ? r.upstream : (r.module ?? `route ${r.prefix}`),
        access: r.access,
        module: r.module ?? null,
        emitLegacyFlag: flag && hasFlag(flag) ? flag : null,
        forwardAuthorization: r.forwardAuthorization,
        scopesFor: (method) => methodScopes.get(method) ?? r.scopes,
      };
    })
    // Longest prefix first, so `/api/v1/webhooks/sources` wins over `/api/v1/webhooks/`.
    .sort((a, b) => b.prefix.length - a.prefix.length);
  return {
    routes: compiled,
    match(path) {
      for (const r of compiled) if (prefixCovers(r.prefix, path)) return r;
      return null;
    },
  };
}

/**
 * A request path the gateway forwards must be canonical: the URL parser of the proxy would
 * otherwise resolve dot segments or backslashes into a path of another route.
 */
export function isCanonicalPath(path: string): boolean {
  if (path.charCodeAt(0) !== 47 || path.includes('\\') || path.includes('//')) return false;
  if (path.includes('%')) {
    const lower = path.toLowerCase();
    if (lower.includes('%2e') || lower.includes('%2f') || lower.includes('%5c') || lower.includes('%00')) return false;
    try {
      decodeURIComponent(path);
    } catch {
      return false;
    }
  }
  if (!path.includes('/.')) return true;
  for (const segment of path.split('/')) if (segment === '.' || segment === '..') return false;
  return true;
}

/** A percent-encoded unreserved character (ALPHA, DIGIT, `-`, `.`, `_`, `~`), either hex case. */
const ENCODED_UNRESERVED = /%(?:[46][1-9a-f]|[57][0-9a]|3[0-9]|2d|2e|5f|7e)/i;

/**
 * Why the gateway refuses to forward `path`, which the table matched to `route`; null when it
 * forwards it. Routes and scopes are matched on the path exactly as the service will read
 * it: a path in normal form (RFC 3986 §6.2.2.2 — no percent-encoded unreserved character)
 * whose decoded form matches the same route. Non-normalized paths are refused, not
 * rewritten, like the other non-canonical paths: what is matched is what is forwarded.
 */
export function pathRefusal(table: RouteTable, route: CompiledRoute, path: string): string | null {
  if (!isCanonicalPath(path)) return 'the request path is not canonical (dot segments, encoded separators or backslashes)';
  if (!path.includes('%')) return null;
  if (ENCODED_UNRESERVED.test(path)) return 'the request path percent-encodes an unreserved character (RFC 3986 §6.2.2.2); send it unencoded';
  if (table.match(decodeURIComponent(path)) !== route) return 'the request path matches another route once decoded';
  return null;
}
