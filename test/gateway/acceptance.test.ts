/**
 * The gateway with the real Authority and the real Platform module, over real HTTP, with the
 * demo identities: tokens from /connect/token through the gateway, a spoofed tenant header
 * stripped (Platform's context route shows the tenant it saw), a mismatch refused, overrides
 * inside and outside the assigned set, strict new-clients against the Authority's records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedAuthorityDemo } from '../../src/authority/demo-seed.ts';
import type { Config } from '../../src/config/schema.ts';
import type { DemoCredentials } from '../../src/demo/credentials.ts';
import { setFlags } from '../../src/flags/store.ts';
import { startStack, type Stack } from '../../src/stack.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freeBasePort } from '../support/ports.ts';
import { send } from './support/harness.ts';

describe('gateway acceptance with the real Authority and Platform', () => {
  let t: TestDatabase;
  let stack: Stack;
  let config: Config;
  let gatewayUrl: string;
  const credentials: DemoCredentials = { clients: {}, users: {} };

  before(async () => {
    t = await createTestDatabase();
    config = t.config({ 'server.basePort': await freeBasePort() });
    await seedAuthorityDemo({ db: t.db, config, keyEncryptionKey: t.keyEncryptionKey, credentials });
    stack = await startStack({ config, prepared: t.prepared, components: ['authority', 'platform', 'gateway'], cwd: t.stateDir });
    gatewayUrl = stack.components.find((c) => c.name === 'gateway')!.url;
  });
  after(async () => {
    await stack?.stop();
    await t.drop();
  });

  async function token(clientId: string, tenant?: string): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: credentials.clients[clientId].secret });
    if (tenant) form.set('tenant', tenant);
    const res = await send(`${gatewayUrl}/connect/token`, 'POST', [['Content-Type', 'application/x-www-form-urlencoded']], form.toString());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token;
  }
  const context = (bearer: string, headers: [string, string][] = []) => send(`${gatewayUrl}/api/v1/platform/context`, 'GET', [['Authorization', `Bearer ${bearer}`], ...headers]);
  const flags = (values: Record<string, unknown>) =>
    setFlags(t.db, Object.entries(values).map(([name, value]) => ({ name, value })), { actor: 'test', reason: 'acceptance' }).then(async () => {
      for (const c of stack.components) await c.ctx.flags.refresh();
    });

  it('discovery and JWKS are served through the gateway', async () => {
    const res = await send(`${gatewayUrl}/.well-known/openid-configuration`, 'GET', []);
    assert.equal(res.status, 200);
    assert.equal(res.body.issuer, gatewayUrl);
  });

  it('a spoofed tenant header is stripped: Platform sees the token tenant', async () => {
    const bearer = await token('scanner-bot', 'tenant-alpha');
    const res = await context(bearer, [
      ['X_StellaOps_Tenant', 'tenant-alpha'],
      ['X-StellaOps-Actor', 'root'],
      ['X-StellaOps-Client', 'evil'],
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.tenant, 'tenant-alpha');
    assert.equal(res.body.actor, 'scanner-bot');
    assert.equal(res.body.client, 'scanner-bot');
  });

  it('a mismatching tenant header is refused with 403 tenant_mismatch', async () => {
    const res = await context(await token('scanner-bot', 'tenant-alpha'), [['X-StellaOps-Tenant', 'tenant-bravo']]);
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'tenant_mismatch');
  });

  it('switching tenant is a new token, and Platform follows it', async () => {
    const res = await context(await token('scanner-bot', 'tenant-bravo'));
    assert.equal(res.body.tenant, 'tenant-bravo');
  });

  it('override: inside the assigned set passes, outside is forbidden', async () => {
    await flags({ 'gateway.tenantOverride': true });
    try {
      const admin = await context(await token('tenantgate-admin'), [['X-StellaOps-Tenant', 'tenant-charlie']]);
      assert.equal(admin.status, 200, JSON.stringify(admin.body));
      assert.equal(admin.body.tenant, 'tenant-charlie');
      const ci = await context(await token('ci-runner'), [['X-StellaOps-Tenant', 'tenant-alpha']]);
      assert.equal(ci.status, 403);
      assert.equal(ci.body.code, 'tenant_forbidden');
    } finally {
      await flags({ 'gateway.tenantOverride': false });
    }
  });

  it('strict new-clients: an old client keeps its legacy alias, a new client is refused', async () => {
    // legacy-cli predates the cut-over; every other demo client was created today.
    await t.db.query("update authority.clients set created_at = '2025-06-01T00:00:00Z' where client_id = 'legacy-cli'");
    await flags({ 'gateway.strictMode': 'new-clients' });
    try {
      const old = await context(await token('legacy-cli'), [['X-Tenant-Id', 'tenant-alpha']]);
      assert.equal(old.status, 200, JSON.stringify(old.body));
      assert.equal(old.body.tenant, 'tenant-alpha');
      const fresh = await context(await token('scanner-bot', 'tenant-alpha'), [['X-Tenant-Id', 'tenant-alpha']]);
      assert.equal(fresh.status, 400);
      assert.equal(fresh.body.code, 'legacy_tenant_header_rejected');
    } finally {
      await flags({ 'gateway.strictMode': 'off' });
    }
  });

  it('a token without the module scope is refused with insufficient_scope', async () => {
    const res = await context(await token('ci-runner'));
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'insufficient_scope');
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="tenantgate", error="insufficient_scope", scope="platform:read"');
  });

  it('Bearer challenges per RFC 6750: none without credentials, invalid_token with a bad token', async () => {
    const none = await send(`${gatewayUrl}/api/v1/platform/context`, 'GET', []);
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="tenantgate"');
    const invalid = await context('not.a.token');
    assert.equal(invalid.status, 401);
    assert.equal(invalid.headers['www-authenticate'], 'Bearer realm="tenantgate", error="invalid_token"');
    const userinfo = await send(`${gatewayUrl}/connect/userinfo`, 'GET', []);
    assert.equal(userinfo.status, 401, 'the UserInfo endpoint is reached through the gateway');
    assert.equal(userinfo.headers['www-authenticate'], 'Bearer realm="tenantgate"');
  });
});
