/**
 * Property test (fast-check, over 10,000 generated requests over real HTTP with keep-alive):
 * every request is either refused with a contract code and never forwarded, or reaches the
 * upstream with exactly one tenant header equal to the token's tenant (or a permitted
 * override) and no client-supplied reserved header in any spelling.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { isErrorCode } from '../../src/contract/errors.ts';
import { normalizeTenantId } from '../../src/contract/tenant.ts';
import type { FlagName } from '../../src/flags/definitions.ts';
import { verifyReceived } from '../support/identity.ts';
import { compileHeaderCatalogue } from '../../src/gateway/header-catalogue.ts';
import { send, startGatewayHarness, TEST_ID_HEADER, type GatewayHarness } from './support/harness.ts';

const RUNS_PER_COMBINATION = 1700;
const flagCombinations: Partial<Record<FlagName, unknown>>[] = [
  { 'gateway.legacyHeaders': true, 'gateway.strictMode': 'off', 'gateway.tenantOverride': false, 'gateway.allowScopeHeader': false },
  { 'gateway.legacyHeaders': true, 'gateway.strictMode': 'off', 'gateway.tenantOverride': true, 'gateway.allowScopeHeader': true },
  { 'gateway.legacyHeaders': true, 'gateway.strictMode': 'new-clients', 'gateway.tenantOverride': true, 'gateway.allowScopeHeader': false },
  { 'gateway.legacyHeaders': true, 'gateway.strictMode': 'all', 'gateway.tenantOverride': false, 'gateway.allowScopeHeader': true },
  { 'gateway.legacyHeaders': false, 'gateway.strictMode': 'off', 'gateway.tenantOverride': true, 'gateway.allowScopeHeader': false },
  { 'gateway.legacyHeaders': true, 'gateway.strictMode': 'off', 'gateway.tenantOverride': false, 'gateway.allowScopeHeader': true },
];

interface TokenKind {
  name: string;
  bearer: string | null;
  sub?: string;
  tenant?: string | null;
  allowed?: string[] | null;
}

describe('gateway property: refused with a contract code, or forwarded with exactly the right identity', () => {
  let h: GatewayHarness;
  let tokens: TokenKind[];
  before(async () => {
    h = await startGatewayHarness();
    const m = h.minter;
    tokens = [
      { name: 'alpha', bearer: await m.mint(), sub: 'scanner-bot', tenant: 'tenant-alpha', allowed: ['tenant-alpha', 'tenant-bravo'] },
      { name: 'bravo-only', bearer: await m.mint({ claims: { sub: 'ci-runner', client_id: 'ci-runner', 'stellaops:tenant': 'tenant-bravo', 'stellaops:allowed_tenants': 'tenant-bravo' } }), sub: 'ci-runner', tenant: 'tenant-bravo', allowed: ['tenant-bravo'] },
      { name: 'old-client-no-set', bearer: await m.mint({ claims: { sub: 'legacy-cli', client_id: 'legacy-cli' }, omit: ['stellaops:allowed_tenants'] }), sub: 'legacy-cli', tenant: 'tenant-alpha', allowed: null },
      { name: 'tid-only', bearer: await m.mint({ omit: ['stellaops:tenant'], claims: { tid: 'tenant-alpha' } }), sub: 'scanner-bot', tenant: 'tenant-alpha', allowed: ['tenant-alpha', 'tenant-bravo'] },
      { name: 'no-tenant', bearer: await m.mint({ omit: ['stellaops:tenant', 'stellaops:allowed_tenants'] }), sub: 'scanner-bot', tenant: null },
      { name: 'foreign', bearer: await m.mint({ foreignKey: true }) },
      { name: 'none', bearer: null },
    ];
  });
  after(async () => h.close());

  it(`holds for ${RUNS_PER_COMBINATION * flagCombinations.length} generated requests`, async () => {
    const profile = h.config.profile;
    const catalogue = compileHeaderCatalogue(profile);
    const reservedBases = [
      ...catalogue.entries.filter((e) => e.kind !== 'consumed').map((e) => e.name),
      'X-StellaOps-Whatever',
      'X-Stella-Region',
    ];
    const benign = ['Accept', 'X-Request-Kind', 'X-Custom-Trace', 'User-Agent', 'X-Tenantish'];
    const separators = fc.constantFrom('-', '_', '.');
    const spelled = (base: string) =>
      fc.tuple(fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }), fc.array(separators, { minLength: base.length, maxLength: base.length })).map(([upper, seps]) =>
        [...base].map((ch, i) => (ch === '-' || ch === '_' || ch === '.' ? seps[i] : upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''),
      );
    const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...reservedBases).chain(spelled) }, { weight: 1, arbitrary: fc.constantFrom(...benign) });
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 12 }).map((cs) => String.fromCharCode(...cs));
    const value = fc.oneof(
      fc.constantFrom('tenant-alpha', 'TENANT-ALPHA', ' tenant-bravo ', 'tenant-charlie', 'tenant-alpha, tenant-bravo', 'tenant-alpha;tenant-alpha', 'tenant-alpha tenant-bravo', '', 'bad/value', 'tenant-\u00e4lpha', 'platform:read', 'keep-alive'),
      printable,
    );
    const header = fc.oneof({ weight: 8, arbitrary: fc.tuple(name, value) }, { weight: 1, arbitrary: fc.tuple(fc.constant('Connection'), fc.oneof(name, fc.constant('keep-alive'))) });
    const request = fc.record({
      token: fc.integer({ min: 0, max: 6 }),
      route: fc.constantFrom('/api/v1/platform/context', '/api/v1/platform/context?x=1', '/.well-known/openid-configuration', '/api/v1/scans'),
      headers: fc.array(header, { maxLength: 6 }),
    });

    let forwarded = 0;
    let refused = 0;
    for (const flags of flagCombinations) {
      await h.setFlags(flags);
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const token = tokens[r.token];
          const id = randomUUID();
          const headers: [string, string][] = [[TEST_ID_HEADER, id]];
          if (token.bearer) headers.push(['Authorization', `Bearer ${token.bearer}`]);
          headers.push(...(r.headers as [string, string][]));
          const res = await send(h.url + r.route, 'GET', headers);
          const record = h.echo.records.get(id) ?? h.authority.records.get(id);
          if (res.status !== 200) {
            assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
            assert.ok(isErrorCode(res.body?.code), `contract code: ${JSON.stringify(res.body)}`);
            assert.equal(record, undefined, 'refused but forwarded');
            refused++;
            return;
          }
          forwarded++;
          assert.ok(record, 'answered 200 without reaching the upstream');
          const isPublic = r.route.startsWith('/.well-known/');
          const seen = new Map<string, string>();
          for (let i = 0; i < record.rawHeaders.length; i += 2) {
            const n = record.rawHeaders[i];
            if (catalogue.lookup(n) === null) continue;
            const lower = n.toLowerCase();
            assert.ok(!seen.has(lower), `reserved header ${n} reached the upstream twice`);
            seen.set(lower, record.rawHeaders[i + 1]);
          }
          const tenantHeader = seen.get(profile.canonicalTenantHeader.toLowerCase());
          const gatewayWritten = new Set(
            [profile.canonicalTenantHeader, ...profile.legacyTenantHeaders, profile.actorHeader, profile.clientHeader, profile.scopesHeader, profile.identityHeader].map((x) => x.toLowerCase()),
          );
          for (const n of seen.keys()) assert.ok(gatewayWritten.has(n), `client-supplied reserved header ${n} reached the upstream`);
          const envelope = await verifyReceived(h.t.db, profile, { assertion: seen.get(profile.identityHeader.toLowerCase()), tenantHeader, method: 'GET', url: record.url });
          assert.ok(envelope.ok, 'identity assertion verifies');
          if (isPublic) {
            assert.equal(tenantHeader, undefined, 'public route got a tenant');
            assert.equal(seen.get(profile.actorHeader.toLowerCase()), 'anonymous');
            return;
          }
          assert.ok(token.tenant, `forwarded with a ${token.name} token`);
          assert.equal(seen.get(profile.actorHeader.toLowerCase()), token.sub);
          assert.ok(envelope.ok && envelope.identity.tenant === tenantHeader, 'assertion tenant equals the header');
          if (tenantHeader !== token.tenant) {
            assert.equal(flags['gateway.tenantOverride'], true, `tenant ${tenantHeader} differs from ${token.tenant} without override`);
            assert.ok(token.allowed?.includes(tenantHeader!), `override to ${tenantHeader} outside the allowed set`);
            const requested = r.headers.filter(([n]) => catalogue.lookup(n)?.tenantSource).flatMap(([, v]) => v.split(/[\s,;]+/).map((x) => normalizeTenantId(x)));
            assert.ok(requested.includes(tenantHeader!), 'override to a tenant nobody requested');
          }
          for (const legacy of profile.legacyTenantHeaders) assert.equal(seen.get(legacy.toLowerCase()), tenantHeader);
        }),
        { numRuns: RUNS_PER_COMBINATION },
      );
    }
    assert.ok(forwarded > 1000 && refused > 1000, `both outcomes exercised (forwarded ${forwarded}, refused ${refused})`);
  });
});
