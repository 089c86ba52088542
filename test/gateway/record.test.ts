import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { classifyHeaders } from '../../src/gateway/classify.ts';
import { compileHeaderCatalogue, type HeaderCatalogue } from '../../src/gateway/header-catalogue.ts';
import { decide, type GatewayFlags, type TokenIdentity } from '../../src/gateway/decide.ts';
import { GatewayRecorder } from '../../src/gateway/record.ts';
import { closeComponentContext, createComponentContext, type ComponentContext } from '../../src/host/context.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const flags: GatewayFlags = {
  legacyHeaders: true,
  strictMode: 'off',
  tenantOverride: false,
  allowScopeHeader: false,
  legacyWindow: { closed: false, until: null, onWindowEnd: 'keep' },
};

const token = (clientId: string, tenant: string, synthetic = false): TokenIdentity => ({
  subject: `user-${clientId}`,
  clientId,
  tenant,
  legacyTenant: null,
  allowedTenants: [tenant],
  scopes: ['platform:read'],
  synthetic,
});

/** Per label set, the value of one Prometheus counter. */
async function series(ctx: ComponentContext, name: string): Promise<Map<string, number>> {
  const metric = await ctx.metrics.getSingleMetric(name)!.get();
  return new Map(metric.values.map((v) => [JSON.stringify(v.labels), v.value]));
}

describe('gateway recorder: counts kept per requester', () => {
  let t: TestDatabase;
  let ctx: ComponentContext;
  let recorder: GatewayRecorder;
  let catalogue: HeaderCatalogue;

  before(async () => {
    t = await createTestDatabase();
    const config = t.config();
    ctx = await createComponentContext({ name: 'gateway', config, runtimeUrl: t.runtimeUrl, keyEncryptionKey: t.keyEncryptionKey });
    catalogue = compileHeaderCatalogue(config.profile);
    recorder = new GatewayRecorder(ctx);
  });
  after(async () => {
    await recorder.close();
    await closeComponentContext(ctx);
    await t.drop();
  });

  function send(who: TokenIdentity | null, ...headers: [string, string][]): void {
    const classification = classifyHeaders(headers.flat(), catalogue);
    const decision = decide({
      route: { access: who === null ? 'public' : 'protected', requiredScopes: [] },
      token: who,
      requested: classification.requested,
      invalidTenantHeaders: classification.invalidTenantHeaders,
      scopeOverride: classification.scopeOverride,
      hopByHop: classification.hopByHop,
      flags,
      clientIsNew: null,
    });
    assert.equal(decision.pass, true);
    recorder.record({ classification, decision, token: who, method: 'GET', path: '/api/v1/platform/context', requestId: 'r' });
  }

  it('counts exactly in Prometheus and the durable counters, whether a token is seen again or afresh', async () => {
    const alpha = token('cli-alpha', 'tenant-alpha');
    for (let i = 0; i < 3; i++) send(alpha, ['X-Tenant-Id', 'tenant-alpha']);
    // The same client and tenant in another token object (a token verified afresh) counts into the same series.
    for (let i = 0; i < 2; i++) send(token('cli-alpha', 'tenant-alpha'), ['x-tenant-id', 'tenant-alpha']);
    send(alpha);
    // Another tenant of the same client is a requester of its own.
    send(token('cli-alpha', 'tenant-bravo'), ['X-Tenant-Id', 'tenant-bravo']);
    // A variant spelling is counted as a variant, apart from the plain name.
    send(alpha, ['X_Tenant_Id', 'tenant-alpha']);
    // A synthetic client's alias use is counted by kind only, never as legacy use.
    const probe = token('cli-probe', 'tenant-alpha', true);
    for (let i = 0; i < 2; i++) send(probe, ['X-Tenant-Id', 'tenant-alpha']);
    // No token: a public route still strips and counts the header.
    send(null, ['X-Tenant-Id', 'tenant-alpha']);

    const legacy = await series(ctx, 'tenantgate_gateway_legacy_tenant_header_total');
    assert.deepEqual([...legacy.entries()].sort(), [
      [JSON.stringify({ alias: 'X-Tenant-Id', client: 'cli-alpha' }), 7],
    ]);
    const stripped = await series(ctx, 'tenantgate_gateway_reserved_headers_stripped_total');
    assert.equal(stripped.get(JSON.stringify({ header: 'X-Tenant-Id', kind: 'legacy' })), 9);
    assert.equal(stripped.get(JSON.stringify({ header: 'X-Tenant-Id', kind: 'variant' })), 1);
    const decisions = await series(ctx, 'tenantgate_gateway_tenant_decisions_total');
    assert.equal(decisions.get(JSON.stringify({ outcome: 'match' })), 10);
    const synthetic = await series(ctx, 'tenantgate_synthetic_requests_total');
    assert.equal(synthetic.get(JSON.stringify({ kind: 'legacy_header' })), 2);
    assert.equal(synthetic.get(JSON.stringify({ kind: 'request' })), 2);

    assert.equal(await ctx.counters.flush(), true);
    const today = new Date().toISOString().slice(0, 10);
    const rows = await readDailyCounters(ctx.db, today, today, ['gateway.legacy_header', 'gateway.header_stripped', 'gateway.decision'], 'include');
    const durable = rows.map((r) => [r.signal, r.alias, r.client, r.tenant, r.detail, r.count]);
    assert.deepEqual(durable, [
      ['gateway.decision', '', 'cli-alpha', 'tenant-alpha', 'match', 7],
      ['gateway.decision', '', 'cli-alpha', 'tenant-bravo', 'match', 1],
      ['gateway.decision', '', 'cli-probe', 'tenant-alpha', 'match', 2],
      ['gateway.header_stripped', 'X-Tenant-Id', '', '', 'legacy', 1],
      ['gateway.header_stripped', 'X-Tenant-Id', 'cli-alpha', '', 'legacy', 6],
      ['gateway.header_stripped', 'X-Tenant-Id', 'cli-alpha', '', 'variant', 1],
      ['gateway.header_stripped', 'X-Tenant-Id', 'cli-probe', '', 'legacy', 2],
      ['gateway.legacy_header', 'X-Tenant-Id', 'cli-alpha', 'tenant-alpha', '', 6],
      ['gateway.legacy_header', 'X-Tenant-Id', 'cli-alpha', 'tenant-bravo', '', 1],
      ['gateway.legacy_header', 'X-Tenant-Id', 'cli-probe', 'tenant-alpha', '', 2],
    ]);
  });
});
