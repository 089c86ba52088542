/**
 * The gateway's spoof and mismatch rows (GATEWAY.md §1–2) and the direct-to-module rows
 * (a forged identity without the gateway's envelope must fail), plus the Authority's
 * "no default tenant" row. Every probe aims Alpha's token at Bravo's data.
 */
import { rawRequest } from './raw-http.ts';
import { RowChecks, type MatrixRow } from './matrix-row.ts';

const PROBE = '/api/v1/platform/topology/environments';

export const gatewayRows: MatrixRow[] = [
  {
    id: 'GW-1',
    area: 'Gateway',
    column: 'gateway',
    title: "canonical tenant header naming another tenant: 403 tenant_mismatch, none of the other's data",
    async run({ gw, fx, profile }) {
      const res = await gw.call('GET', PROBE, { token: fx.a.token, headers: [[profile.canonicalTenantHeader, fx.b.tenant]] });
      return new RowChecks().status(res, 403, 'Alpha token + canonical Bravo').code(res, ['tenant_mismatch', 'tenant_forbidden'], 'mismatch').noLeak(res, fx.b, 'mismatch').done();
    },
  },
  {
    id: 'GW-2',
    area: 'Gateway',
    column: 'gateway',
    title: 'legacy tenant header aliases naming another tenant are refused, never obeyed',
    async run({ gw, fx, profile }) {
      const c = new RowChecks();
      for (const alias of profile.legacyTenantHeaders) {
        const res = await gw.call('GET', PROBE, { token: fx.a.token, headers: [[alias, fx.b.tenant]] });
        c.status(res, [400, 403], `Alpha token + ${alias}: Bravo`).code(res, ['tenant_mismatch', 'legacy_tenant_header_rejected', 'legacy_window_closed', 'tenant_forbidden'], alias).noLeak(res, fx.b, alias);
      }
      return c.done();
    },
  },
  {
    id: 'GW-3',
    area: 'Gateway',
    column: 'gateway',
    title: 'underscore, dot and case variants of the tenant header are treated as the header (no smuggling)',
    async run({ gw, fx, profile }) {
      const c = new RowChecks();
      const variants = [profile.canonicalTenantHeader.replaceAll('-', '_'), profile.canonicalTenantHeader.toLowerCase().replaceAll('-', '.'), ...profile.legacyTenantHeaders.map((h) => h.toUpperCase().replaceAll('-', '_'))];
      for (const name of variants) {
        const res = await gw.call('GET', PROBE, { token: fx.a.token, headers: [[name, fx.b.tenant]] });
        c.check(res.status >= 400 && res.status < 500, `${name}: Bravo → ${res.status} ${res.json?.code ?? ''}`).noLeak(res, fx.b, name);
        if (res.status === 200) c.check(false, `${name} was ignored, not recognised`);
      }
      return c.done();
    },
  },
  {
    id: 'GW-4',
    area: 'Gateway',
    column: 'gateway',
    title: 'two different tenant values (repeated header, joined value, canonical vs alias): 400 tenant_conflict',
    async run({ gw, fx, profile }) {
      const c = new RowChecks();
      const cases: [string, [string, string][]][] = [
        ['repeated canonical', [[profile.canonicalTenantHeader, fx.a.tenant], [profile.canonicalTenantHeader, fx.b.tenant]]],
        ['comma-joined', [[profile.canonicalTenantHeader, `${fx.a.tenant},${fx.b.tenant}`]]],
        ['canonical vs alias', [[profile.canonicalTenantHeader, fx.a.tenant], [profile.legacyTenantHeaders[profile.legacyTenantHeaders.length - 1], fx.b.tenant]]],
      ];
      for (const [what, headers] of cases) {
        const res = await gw.call('GET', PROBE, { token: fx.a.token, headers });
        c.status(res, 400, what).code(res, ['tenant_conflict'], what).noLeak(res, fx.b, what);
      }
      return c.done();
    },
  },
  {
    id: 'GW-5',
    area: 'Gateway',
    column: 'gateway',
    title: 'Connection: listing an identity header is refused (hop-by-hop removal attack)',
    async run({ gw, fx, profile }) {
      const res = await gw.call('GET', PROBE, { token: fx.a.token, headers: [['connection', `keep-alive, ${profile.canonicalTenantHeader}`], [profile.canonicalTenantHeader, fx.a.tenant]] });
      return new RowChecks().status(res, 400, 'Connection lists the tenant header').code(res, ['hop_by_hop_identity_header'], 'hop-by-hop').done();
    },
  },
  {
    id: 'GW-6',
    area: 'Gateway',
    column: 'gateway',
    title: 'no token: 401 on every protected module route',
    async run({ gw, fx, profile }) {
      const c = new RowChecks();
      for (const path of ['/api/v1/platform/context/preferences', '/api/v1/scans', '/api/v1/triage/findings', '/api/v1/unknowns', '/api/v1/graph/search?q=a']) {
        const res = await gw.call('GET', path, { headers: [[profile.canonicalTenantHeader, fx.a.tenant]] });
        c.status(res, 401, `${path} with only a tenant header`).noLeak(res, fx.a, path);
      }
      return c.done();
    },
  },
  {
    id: 'GW-7',
    area: 'Gateway',
    column: 'gateway',
    title: "the downstream identity is the token's: spoofed actor and client headers are replaced, spoofed scopes never granted",
    async run({ gw, fx, profile }) {
      const c = new RowChecks();
      const res = await gw.call('GET', '/api/v1/platform/context', {
        token: fx.a.token,
        headers: [
          [profile.actorHeader, 'root'],
          [profile.clientHeader, 'tenantgate-admin'],
          [profile.rawClaimHeaders[0], 'root'],
        ],
      });
      c.status(res, 200, 'context with spoofed actor/client headers')
        .check(res.json?.tenant === fx.a.tenant, `tenant ${res.json?.tenant}`)
        .check(res.json?.actor !== 'root' && res.json?.client === fx.clientId, `actor ${res.json?.actor}, client ${res.json?.client}`);
      for (const name of [profile.scopesHeader, ...profile.scopeOverrideHeaders]) {
        const scoped = await gw.call('GET', '/api/v1/platform/context', { token: fx.a.token, headers: [[name, 'authority:clients.write']] });
        const refused = scoped.status === 403 && scoped.json?.code === 'ERR_SCOPE_HEADER_FORBIDDEN';
        const ignored = scoped.status === 200 && !(scoped.json?.scopes ?? []).includes('authority:clients.write');
        c.check(refused || ignored, `${name}: ${scoped.status} ${scoped.json?.code ?? ''} (refused or ignored, never granted)`);
      }
      return c.done();
    },
  },
  {
    id: 'AU-1',
    area: 'Authority',
    column: 'authority',
    title: 'a client with two tenants and no default gets no token without choosing one; an unassigned tenant is refused',
    async run({ gw, fx }) {
      const c = new RowChecks();
      const none = await gw.tokenResponse({ clientId: fx.clientId, secret: fx.clientSecret });
      c.status(none, 400, 'token without tenant').check(['tenant_ambiguous', 'invalid_request'].includes(none.json?.error_code ?? none.json?.error), `error ${none.json?.error_code ?? none.json?.error}`);
      const other = await gw.tokenResponse({ clientId: fx.clientId, secret: fx.clientSecret, tenant: 'tenant-not-assigned-to-matrix' });
      c.status(other, 400, 'token for an unassigned tenant').check(other.json?.access_token === undefined, 'no token issued');
      return c.done();
    },
  },
  {
    id: 'DM-1',
    area: 'Direct module',
    column: 'direct module',
    title: 'calling a module directly with forged identity headers fails the identity assertion check',
    async run({ fx, profile, modules }) {
      const c = new RowChecks();
      const targets = Object.entries(modules).map(([name, base]) => [name, base!.replace(/\/$/, '')] as const);
      if (targets.length === 0) return c.check(true, 'no module URLs given: not applicable to this deployment').done();
      const paths: Record<string, string> = { platform: PROBE, scanner: '/api/v1/scans', graph: '/api/v1/graph/search?q=lodash' };
      for (const [name, base] of targets) {
        const forged = await rawRequest(base + paths[name], {
          headers: [
            ['accept', 'application/json'],
            [profile.canonicalTenantHeader, fx.a.tenant],
            [profile.actorHeader, 'attacker'],
            [profile.scopesHeader, 'platform:read scanner:read graph:read'],
            [profile.identityHeader, forgedAssertion(fx.a.tenant, profile.selectedTenantClaim, name, paths[name])],
          ],
        });
        c.status(forged, 401, `${name} with a forged identity assertion`).noLeak(forged, fx.a, name);
      }
      return c.done();
    },
  },
];

/** A compact JWS in the assertion's shape, signed by no key the gateway publishes. */
function forgedAssertion(tenant: string, tenantClaim: string, audience: string, target: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'forged', aud: audience, iat: now, exp: now + 30, jti: 'forged', htm: 'GET', htu: target, [tenantClaim]: tenant, sub: 'attacker', scope: 'platform:read scanner:read graph:read' };
  return `${part({ alg: 'EdDSA', kid: 'forged', typ: 'identity+jwt' })}.${part(claims)}.${Buffer.alloc(64).toString('base64url')}`;
}
