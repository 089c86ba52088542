/** Gateway telemetry (GATEWAY.md §4): Prometheus counters, durable daily counters, audit events. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { queryAudit } from '../../src/telemetry/audit.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { signals } from '../../src/telemetry/signals.ts';
import { utcDay } from '../../src/telemetry/clock.ts';
import { send, startGatewayHarness, type GatewayHarness } from './support/harness.ts';

async function eventually<T>(fn: () => Promise<T | null>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('gateway telemetry', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness();
  });
  after(async () => h.close());

  it('counts stripped headers, variants, legacy use, decisions and spoof attempts, durably and in Prometheus', async () => {
    const bearer = await h.minter.mint({ claims: { sub: 'counted-client', client_id: 'counted-client' } });
    const call = (headers: [string, string][]) => send(`${h.url}/api/v1/platform/context`, 'GET', [['Authorization', `Bearer ${bearer}`], ...headers]);
    assert.equal((await call([['X-Tenant-Id', 'tenant-alpha']])).status, 200);
    assert.equal((await call([['X_StellaOps_Tenant', 'tenant-alpha']])).status, 200);
    assert.equal((await call([['X-StellaOps-Tenant', 'tenant-bravo']])).status, 403);
    assert.equal((await call([['Connection', 'X-StellaOps-Tenant']])).status, 400);

    await h.ctx.counters.flush();
    const day = utcDay(new Date());
    const rows = (await readDailyCounters(h.t.db, day, day)).filter((r) => r.client === 'counted-client');
    const count = (signal: string, pred: (r: (typeof rows)[number]) => boolean = () => true) => rows.filter((r) => r.signal === signal && pred(r)).reduce((s, r) => s + r.count, 0);
    assert.equal(count(signals.gatewayLegacyHeader, (r) => r.alias === 'X-Tenant-Id' && r.tenant === 'tenant-alpha'), 1);
    assert.equal(count(signals.gatewayLegacyHeader, (r) => r.alias === 'X-StellaOps-Tenant'), 1, 'a variant of the canonical header is legacy use');
    assert.equal(count(signals.gatewayHeaderStripped, (r) => r.detail === 'variant'), 1);
    assert.equal(count(signals.gatewayDecision, (r) => r.detail === 'match'), 2);
    assert.equal(count(signals.gatewayDecision, (r) => r.detail === 'mismatch'), 1);
    assert.equal(count(signals.gatewaySpoofAttempt, (r) => r.detail === 'variant'), 1);
    assert.equal(count(signals.gatewaySpoofAttempt, (r) => r.detail === 'mismatch'), 1);
    assert.equal(count(signals.gatewaySpoofAttempt, (r) => r.detail === 'hop_by_hop'), 1);

    const metrics = await send(`${h.url}/metrics`, 'GET', []);
    const text = String(metrics.body);
    assert.match(text, /tenantgate_gateway_tenant_decisions_total\{[^}]*outcome="mismatch"[^}]*\} 1/);
    assert.match(text, /tenantgate_gateway_legacy_tenant_header_total\{[^}]*alias="X-Tenant-Id"[^}]*client="counted-client"[^}]*\} 1/);
    assert.match(text, /tenantgate_gateway_reserved_headers_stripped_total\{[^}]*header="X-StellaOps-Tenant"[^}]*kind="variant"[^}]*\} 1/);
    assert.match(text, /tenantgate_gateway_spoof_attempts_total\{[^}]*reason="hop_by_hop"[^}]*\} 1/);
  });

  it('labels request metrics with the route table prefix, and every unknown path with one fixed value', async () => {
    const bearer = await h.minter.mint({ claims: { sub: 'labelled', client_id: 'labelled-client' } });
    const auth: [string, string][] = [['Authorization', `Bearer ${bearer}`]];
    assert.equal((await send(`${h.url}/api/v1/platform/context?probe=raw-query-value`, 'GET', auth)).status, 200);
    assert.equal((await send(`${h.url}/api/v1/scans/scan-raw-path-id`, 'GET', auth)).status, 200);
    assert.equal((await send(`${h.url}/api/v1/scans/../graph/raw-dot-segment`, 'GET', auth)).status, 400);
    assert.equal((await send(`${h.url}/connect/token`, 'POST', [['Content-Type', 'application/x-www-form-urlencoded']], 'grant_type=client_credentials')).status, 200);
    assert.equal((await send(`${h.url}/assets/app.js`, 'GET', [])).status, 200);
    assert.equal((await send(`${h.url}/no-such-raw-path/attacker-chosen`, 'GET', [['Accept', 'application/json']])).status, 404);
    assert.equal((await send(`${h.url}/another-raw-path-${Date.now()}`, 'DELETE', auth)).status, 404);
    assert.equal((await send(`${h.url}/raw-path-of-an-unrouted-method`, 'PROPFIND', [])).status, 404);

    const text = String((await send(`${h.url}/metrics`, 'GET', [])).body);
    const routes = new Set([...text.matchAll(/^tenantgate_http_requests_total\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]));
    for (const expected of ['/api/v1/platform/', '/api/v1/scans', '/connect/', 'console', 'unmatched']) assert.ok(routes.has(expected), `route="${expected}" in ${[...routes].join(' ')}`);
    assert.ok(!routes.has('/*'), 'no wildcard label');
    assert.match(text, /^tenantgate_http_requests_total\{[^}]*route="\/api\/v1\/scans",method="GET",status="400"/m, 'a refused path keeps its route');
    assert.match(text, /^tenantgate_http_requests_total\{[^}]*route="unmatched",method="PROPFIND",status="404"/m);
    assert.match(text, /^tenantgate_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/platform\/",method="GET"/m);
    assert.doesNotMatch(text, /raw-|attacker|probe/, 'no part of a request path or query becomes a label value');
  });

  it('audits overrides and mismatches', async () => {
    const bearer = await h.minter.mint({ claims: { sub: 'audited', client_id: 'audited-client' } });
    const call = () => send(`${h.url}/api/v1/platform/context`, 'GET', [['Authorization', `Bearer ${bearer}`], ['X-StellaOps-Tenant', 'tenant-bravo']]);
    assert.equal((await call()).status, 403);
    await h.setFlags({ 'gateway.tenantOverride': true });
    assert.equal((await call()).status, 200);
    await h.setFlags({ 'gateway.tenantOverride': false });
    const mismatch = await eventually(async () => (await queryAudit(h.t.db, { type: 'gateway.tenant.mismatch', client: 'audited-client' })).items[0] ?? null);
    assert.equal(mismatch.outcome, 'denied');
    assert.equal(mismatch.tenant, 'tenant-alpha');
    assert.deepEqual((mismatch.properties.requested as any[]).map((r) => r.value), ['tenant-bravo']);
    const override = await eventually(async () => (await queryAudit(h.t.db, { type: 'gateway.tenant.override', client: 'audited-client' })).items[0] ?? null);
    assert.equal(override.tenant, 'tenant-bravo');
    assert.equal(override.properties.tokenTenant, 'tenant-alpha');
  });
});
