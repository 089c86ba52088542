import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { setFlags } from '../../../src/flags/store.ts';
import { signAssertion } from '../../support/identity.ts';
import { IdentityAssertionSigner } from '../../../src/identity/sign-assertion.ts';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { requireScope } from '../../../src/modules/host.ts';
import { readDailyCounters } from '../../../src/telemetry/counters.ts';
import { signals } from '../../../src/telemetry/signals.ts';
import { utcDay } from '../../../src/telemetry/clock.ts';
import { createModuleHarness, type ModuleHarness } from './harness.ts';

async function probeRoutes(app: FastifyInstance) {
  app.get('/probe', async (req) => ({ tenant: req.requireTenant(), identity: req.identity }));
  app.get('/optional', { config: { tenantContext: 'optional' } }, async (req) => ({ tenant: req.identity.tenant }));
  app.post('/public', { config: { tenantContext: 'none' } }, async (req) => ({ identity: req.identity }));
  app.get('/scoped', { preHandler: requireScope('platform:write') }, async () => ({ ok: true }));
}

describe('tenant context (platform)', () => {
  let h: ModuleHarness;
  const canonical = () => h.ctx.profile.canonicalTenantHeader;
  const [legacyA, legacyB] = ['X-Stella-Tenant', 'X-Tenant-Id'];
  before(async () => {
    h = await createModuleHarness('platform', () => probeRoutes);
  });
  after(async () => h.close());

  it('a gateway-signed request gets its tenant and identity', async () => {
    const res = await h.call('GET', '/probe', { tenant: 'tenant-bravo' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.tenant, 'tenant-bravo');
    assert.equal(body.identity.actor, 'alice');
    assert.equal(body.identity.client, 'stellaops-console');
    assert.equal(body.identity.viaEnvelope, true);
    assert.ok(body.identity.scopes.includes('platform:read'));
  });

  it('forged identity headers without an assertion → 401 identity_assertion_missing', async () => {
    const res = await h.call('GET', '/probe', {
      unsigned: true,
      headers: { [canonical()]: 'tenant-alpha', 'X-StellaOps-Actor': 'mallory', 'X-StellaOps-Scopes': 'platform:read' },
    });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'identity_assertion_missing');
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  });

  it('every rejection of the identity assertion has its own code (CONTRACT.md §8)', async () => {
    const config = h.ctx.config;
    const who = { tenant: 'tenant-alpha', actor: 'a', client: null, scopes: [] };
    const probe = { audience: 'platform', method: 'GET', target: '/probe' };
    const good = signAssertion(h.key, config, who, probe);
    const send = (assertion: string, options: { method?: string; url?: string; tenant?: string | null } = {}) => {
      const headers: Record<string, string> = { [h.ctx.profile.identityHeader]: assertion };
      const tenant = options.tenant === undefined ? 'tenant-alpha' : options.tenant;
      if (tenant !== null) headers[canonical()] = tenant;
      return h.app.inject({ method: (options.method ?? 'GET') as 'GET', url: options.url ?? '/probe', headers });
    };
    const [head, body, sig] = good.split('.');
    // Signed with the gateway's own key, so only the header under test is wrong.
    const signedRaw = (protectedHeader: unknown, payload: string) => {
      const input = `${part(protectedHeader)}.${payload}`;
      return `${input}.${cryptoSign(null, Buffer.from(input), h.key.privateKey).toString('base64url')}`;
    };
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const header = JSON.parse(Buffer.from(head, 'base64url').toString());
    const foreign = { kid: 'id-unknown', algorithm: 'EdDSA' as const, privateKey: generateKeyPairSync('ed25519').privateKey };
    const es256 = { ...h.key, algorithm: 'ES256' as const, privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
    const cases: [string, Promise<{ statusCode: number; json(): { code: string } }>][] = [
      ['identity_assertion_malformed', send('not-a-jws')],
      ['identity_signature_invalid', send(`${head}.${part({ ...claims, sub: 'mallory' })}.${sig}`)],
      ['identity_signature_invalid', send(`${head}.${Buffer.from(Buffer.from(body, 'base64url').toString().replace('tenant-alpha', 'tenant-bravo')).toString('base64url')}.${sig}`, { tenant: 'tenant-bravo' })],
      ['identity_algorithm_rejected', send(`${part({ ...header, alg: 'HS256' })}.${body}.${sig}`)],
      ['identity_algorithm_rejected', send(signAssertion(es256, config, who, probe))],
      ['identity_algorithm_rejected', send(`${part({ ...header, alg: 'none' })}.${body}.`)],
      ['identity_type_invalid', send(signedRaw({ alg: header.alg, kid: header.kid }, body))],
      ['identity_type_invalid', send(signedRaw({ ...header, typ: 'JWT' }, body))],
      ['identity_key_unknown', send(signedRaw({ alg: header.alg, typ: header.typ }, body))],
      ['identity_key_unknown', send(signAssertion(foreign, config, who, probe))],
      ['identity_audience_mismatch', send(signAssertion(h.key, config, who, { ...probe, audience: 'scanner' }))],
      ['identity_issuer_mismatch', send(new IdentityAssertionSigner(h.key, { issuer: 'https://other-gateway.example', ttlSeconds: 30, tenantClaim: 'stellaops:tenant' }).sign(who, probe))],
      ['identity_method_mismatch', send(signAssertion(h.key, config, who, { ...probe, method: 'POST' }))],
      ['identity_target_mismatch', send(good, { url: '/probe?x=1' })],
      ['identity_target_mismatch', send(signAssertion(h.key, config, who, { ...probe, target: '/optional' }))],
      ['identity_assertion_expired', send(signAssertion(h.key, config, who, probe, { now: () => Date.now() - 60_000 }))],
      ['identity_tenant_invalid', send(signAssertion(h.key, config, { ...who, tenant: 'Tenant-Alpha' }, probe), { tenant: 'Tenant-Alpha' })],
      ['identity_tenant_invalid', send(signAssertion(h.key, config, { ...who, tenant: 'tenant-alpha,tenant-bravo' }, probe))],
      ['identity_tenant_mismatch', send(good, { tenant: 'tenant-bravo' })],
      ['identity_tenant_mismatch', send(good, { tenant: null })],
    ];
    for (const [code, answer] of cases) {
      const res = await answer;
      assert.equal(res.statusCode, 401, code);
      assert.equal(res.json().code, code);
    }
    assert.equal((await send(good)).statusCode, 200);
  });

  it('the header must equal the tenant the gateway signed', async () => {
    const res = await h.call('GET', '/probe', { tenant: 'tenant-alpha', headers: { [canonical()]: 'tenant-bravo' } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'identity_tenant_mismatch');
  });

  it('no tenant → deterministic 400 tenant_missing', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await h.call('GET', '/probe', { tenant: null });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'tenant_missing');
    }
    // A signed tenant without the canonical header: the header must equal the assertion.
    const headerless = await h.call('GET', '/probe', { identity: { tenant: 'tenant-alpha' }, tenant: null });
    assert.equal(headerless.statusCode, 401);
    assert.equal(headerless.json().code, 'identity_tenant_mismatch');
  });

  it('an optional route accepts a request without tenant', async () => {
    const res = await h.call('GET', '/optional', { tenant: null });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().tenant, null);
  });

  it('repeated or comma-joined different values → tenant_conflict; the same value twice is fine', async () => {
    const joined = await h.call('GET', '/probe', { headers: { [canonical()]: 'tenant-alpha, tenant-bravo' } });
    assert.equal(joined.json().code, 'tenant_conflict');
    const repeated = await h.call('GET', '/probe', { headers: { [canonical()]: ['tenant-alpha', 'tenant-bravo'] } });
    assert.equal(repeated.json().code, 'tenant_conflict');
    const same = await h.call('GET', '/probe', { headers: { [canonical()]: ['tenant-alpha', 'TENANT-ALPHA '] } });
    assert.equal(same.statusCode, 200);
  });

  it('a malformed tenant value → 400 tenant_invalid', async () => {
    const res = await h.call('GET', '/probe', { headers: { [canonical()]: 'tenant alpha!' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'tenant_invalid');
  });

  it('legacy aliases are read (and counted) only while platform.acceptLegacyHeaders is on', async () => {
    const agreeing = await h.call('GET', '/probe', { headers: { [legacyA]: 'tenant-alpha' } });
    assert.equal(agreeing.statusCode, 200);
    const conflicting = await h.call('GET', '/probe', { headers: { [legacyB]: 'tenant-bravo' } });
    assert.equal(conflicting.json().code, 'tenant_conflict');
    // Alias only, envelope without tenant header: the alias is the tenant.
    const aliasOnly = await h.call('GET', '/probe', { tenant: null, identity: { tenant: 'tenant-alpha' }, headers: { [legacyA]: 'tenant-alpha' } });
    assert.equal(aliasOnly.statusCode, 200);

    await setFlags(h.ctx.db, [{ name: 'platform.acceptLegacyHeaders', value: false }], { actor: 'test', reason: 'strict modules' });
    await h.ctx.flags.refresh();
    const ignored = await h.call('GET', '/probe', { headers: { [legacyB]: 'tenant-bravo' } });
    assert.equal(ignored.statusCode, 200, 'an alias is not read at all while the flag is off');
    const aliasOnlyOff = await h.call('GET', '/probe', { tenant: null, identity: { tenant: 'tenant-alpha' }, headers: { [legacyA]: 'tenant-alpha' } });
    // The alias is not read, so the canonical tenant (none) differs from the signed one.
    assert.equal(aliasOnlyOff.json().code, 'identity_tenant_mismatch');
    await setFlags(h.ctx.db, [{ name: 'platform.acceptLegacyHeaders', value: true }], { actor: 'test', reason: 'restore' });
    await h.ctx.flags.refresh();

    await h.ctx.counters.flush();
    const day = utcDay(new Date());
    const rows = await readDailyCounters(h.ctx.db, day, day, [signals.moduleLegacyHeader]);
    const alias = rows.find((r) => r.alias === legacyA && r.tenant === 'tenant-alpha' && r.detail === 'platform');
    // Counted when the tenant came from the alias; an alias agreeing with the canonical header is not legacy dependence.
    assert.ok(alias && alias.count === 1, JSON.stringify(rows));
    assert.ok(!rows.some((r) => r.alias === legacyB && r.count > 1), 'the ignored alias was not counted');
  });

  it('public routes opt out and get no identity', async () => {
    const res = await h.call('POST', '/public', { unsigned: true, headers: { [canonical()]: 'tenant-alpha' }, body: {} });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().identity.tenant, null);
  });

  it('requireScope answers 403 insufficient_scope', async () => {
    const denied = await h.call('GET', '/scoped', { identity: { scopes: ['platform:read'] } });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, 'insufficient_scope');
    assert.equal((await h.call('GET', '/scoped')).statusCode, 200);
  });

  it('rejections by code and 403/404 answers are counted per tenant', async () => {
    await h.call('GET', '/scoped', { tenant: 'tenant-bravo', identity: { scopes: [] } });
    const metrics = await h.ctx.metrics.metrics();
    assert.match(metrics, /tenantgate_module_rejections_total\{module="platform",code="identity_assertion_missing",tenant=""/);
    assert.match(metrics, /tenantgate_module_rejections_total\{module="platform",code="identity_tenant_mismatch",tenant="tenant-alpha"/);
    assert.match(metrics, /tenantgate_module_denied_total\{module="platform",status="403",tenant="tenant-bravo"/);
    await h.ctx.counters.flush();
    const day = utcDay(new Date());
    const rows = await readDailyCounters(h.ctx.db, day, day, [signals.moduleRejection, signals.moduleDenied]);
    assert.ok(rows.some((r) => r.signal === signals.moduleRejection && r.detail === 'platform:tenant_conflict'));
    assert.ok(rows.some((r) => r.signal === signals.moduleDenied && r.detail === 'platform:403' && r.tenant === 'tenant-bravo'));
  });
});

describe('tenant context (graph) and the loopback development switch', () => {
  let graph: ModuleHarness;
  before(async () => {
    graph = await createModuleHarness('graph', () => probeRoutes, { 'modules.trustLoopbackWithoutEnvelope': true });
  });
  after(async () => graph.close());

  it('Graph answers a conflict with GRAPH_VALIDATION_FAILED', async () => {
    const res = await graph.call('GET', '/probe', { headers: { [graph.ctx.profile.canonicalTenantHeader]: 'tenant-alpha,tenant-bravo' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'GRAPH_VALIDATION_FAILED');
  });

  it('with the switch on, a loopback peer without any assertion is trusted', async () => {
    const res = await graph.call('GET', '/probe', { unsigned: true, headers: { 'X-StellaOps-Actor': 'dev', 'X-StellaOps-Scopes': 'graph:read' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().identity.viaEnvelope, false);
    assert.deepEqual(res.json().identity.scopes, ['graph:read']);
  });

  it('…but never a remote peer, and never a bad assertion', async () => {
    const remote = await graph.call('GET', '/probe', { unsigned: true, remoteAddress: '10.1.2.3' });
    assert.equal(remote.statusCode, 401);
    const bad = await graph.call('GET', '/probe', { unsigned: true, headers: { [graph.ctx.profile.identityHeader]: 'e30' } });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().code, 'identity_assertion_malformed');
  });
});
