/**
 * The gateway route table: path prefix → upstream, public or protected, required scopes
 * (per method), module name and options. Configurable through `gateway.routes`; the default
 * fronts the Authority, Platform, Scanner and Graph.
 */
import { componentUrl, type Config, type ComponentName, type RouteConfig } from '../config/schema.ts';
import { scopes } from '../contract/scopes.ts';
import { isFlagName, type FlagName } from '../flags/definitions.ts';

function readWrite(read: string, write: string): Pick<RouteConfig, 'scopes' | 'methodScopes'> {
  return { scopes: [write], methodScopes: { GET: [read], HEAD: [read] } };
}

function route(prefix: string, upstream: RouteConfig['upstream'], access: RouteConfig['access'], extra: Partial<RouteConfig> = {}): RouteConfig {
  return { prefix, upstream, access, scopes: [], methodScopes: {}, forwardAuthorization: false, ...extra };
}

export function defaultRoutes(): RouteConfig[] {
  const scanner = readWrite(scopes.scannerRead, scopes.scannerWrite);
  return [
    route('/.well-known/', 'authority', 'public'),
    // Client authentication at the token, introspection and revocation endpoints may use HTTP Basic.
    route('/connect/', 'authority', 'public', { forwardAuthorization: true }),
    route('/console/', 'authority', 'protected', { forwardAuthorization: true }),
    route('/admin/', 'authority', 'protected', { forwardAuthorization: true }),
    route('/api/v1/platform/', 'platform', 'protected', { module: 'platform', ...readWrite(scopes.platformRead, scopes.platformWrite) }),
    route('/api/v1/scans', 'scanner', 'protected', { module: 'scanner', ...scanner }),
    route('/api/v1/triage', 'scanner', 'protected', { module: 'scanner', ...scanner }),
    route('/api/v1/unknowns', 'scanner', 'protected', { module: 'scanner', ...scanner }),
    route('/api/v1/webhooks/sources', 'scanner', 'protected', { module: 'scanner', ...scanner }),
    // Webhook receive: the sender proves its tenant with the payload signature, not a token.
    route('/api/v1/webhooks/', 'scanner', 'public', { module: 'scanner' }),
    route('/api/v1/graph/nodes/', 'graph', 'protected', { module: 'graph', scopes: [scopes.graphRead] }),
    route('/api/v1/graph/search', 'graph', 'protected', { module: 'graph', scopes: [scopes.graphRead] }),
    route('/api/v1/graph/query', 'graph', 'protected', { module: 'graph', scopes: [scopes.graphQuery] }),
    route('/api/v1/graph/export', 'graph', 'protected', { module: 'graph', scopes: [scopes.graphExport] }),
    route('/api/v1/graph/sboms', 'graph', 'protected', { module: 'graph', scopes: [scopes.graphWrite] }),
    route('/api/v1/graph/', 'graph', 'protected', { module: 'graph', ...readWrite(scopes.graphRead, scopes.graphWrite) }),
  ];
}

export interface CompiledRoute {
  prefix: string;
  /** Origin of the upstream (no trailing slash). */
  origin: string;
  /** What readiness calls the upstream publicly: the component, the module, or the route. */
  upstreamName: string;
  access: 'public' | 'protected';
  module: string | null;
  /** `<module>.emitLegacyHeaders` when that flag exists. */
  emitLegacyFlag: FlagName | null;
  forwardAuthorization: boolean;
  scopesFor(method: string): readonly string[];
}

export interface RouteTable {
  routes: CompiledRoute[];
  match(path: string): CompiledRoute | null;
}

const componentUpstreams = new Set<string>(['authority', 'platform', 'scanner', 'graph', 'gateway']);

export function compileRoutes(config: Config, routes: RouteConfig[] = config.gateway.routes ?? defaultRoutes()): RouteTable {
  const compiled = routes
    .filter((r) => r.upstream !== 'console')
    .map((r): CompiledRoute => {
      const origin = componentUpstreams.has(r.upstream) ? componentUrl(config, r.upstream as ComponentName) : new URL(r.upstream).origin;
      const flag = r.module ? `${r.module}.emitLegacyHeaders` : null;
      const methodScopes = new Map(Object.entries(r.methodScopes).map(([m, s]) => [m.toUpperCase(), s]));
      return {
        prefix: r.prefix,
        origin,
        upstreamName: componentUpstreams.has(r.upstream) ? r.upstream : (r.module ?? `route ${r.prefix}`),
        access: r.access,
        module: r.module ?? null,
        emitLegacyFlag: flag && isFlagName(flag) ? flag : null,
        forwardAuthorization: r.forwardAuthorization,
        scopesFor: (method) => methodScopes.get(method) ?? r.scopes,
      };
    })
    // Longest prefix first, so `/api/v1/webhooks/sources` wins over `/api/v1/webhooks/`.
    .sort((a, b) => b.prefix.length - a.prefix.length);
  return {
    routes: compiled,
    match(path) {
      for (const r of compiled) if (prefixMatches(r.prefix, path)) return r;
      return null;
    },
  };
}

/** `/api/v1/scans` matches `/api/v1/scans` and `/api/v1/scans/…`, never `/api/v1/scansx`. */
function prefixMatches(prefix: string, path: string): boolean {
  if (!path.startsWith(prefix)) return false;
  if (prefix.endsWith('/') || path.length === prefix.length) return true;
  return path.charCodeAt(prefix.length) === 47;
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
