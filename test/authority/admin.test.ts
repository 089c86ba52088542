/** The admin API: validation with stable codes that change nothing, audit before/after, scopes. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearerCall, decodeClaims, startAuthorityStack, type AuthorityStack } from './authority-stack.ts';

describe('admin API', () => {
  let s: AuthorityStack;
  let admin: string;

  const call = (method: string, path: string, body?: unknown, token = admin) => bearerCall(s.base, token, method, path, body);

  async function auditCount() {
    const { rows } = await s.t.db.query("select count(*)::int as n from telemetry.audit_events where type like 'authority.client.%' or type like 'authority.user.%' or type like 'authority.tenant.%'");
    return rows[0].n as number;
  }

  before(async () => {
    s = await startAuthorityStack();
    admin = await s.adminToken();
  });
  after(async () => s?.stop());

  it('requires a bearer token (401) and the route scope (403 insufficient_scope)', async () => {
    const anon = await fetch(`${s.base}/admin/clients`);
    assert.equal(anon.status, 401);
    // RFC 6750 §3.1: no credentials, no error code.
    assert.equal(anon.headers.get('www-authenticate'), 'Bearer realm="tenantgate"');
    const bot = (await s.token({ grant_type: 'client_credentials', tenant: 'tenant-alpha' }, { basic: s.basic('scanner-bot') })).body.access_token;
    const res = await call('GET', '/admin/clients', undefined, bot);
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'insufficient_scope');
    assert.match(res.type, /application\/problem\+json/);
    const forged = await call('GET', '/admin/clients', undefined, bot.slice(0, -4) + 'AAAA');
    assert.equal(forged.status, 401);
  });

  it('client create: returns the secret once, lists without secret material, the secret works', async () => {
    const created = await call('POST', '/admin/clients', { clientId: 'report-bot', grantTypes: ['client_credentials'], scopes: ['graph:read'], tenants: 'tenant-bravo tenant-charlie', tenant: 'tenant-charlie' });
    assert.equal(created.status, 201);
    assert.match(created.body.clientSecret, /^tgs_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(created.body.client.tenants, ['tenant-bravo', 'tenant-charlie']);
    const got = await call('GET', '/admin/clients/report-bot');
    assert.equal(got.status, 200);
    assert.equal(JSON.stringify(got.body).includes('secret'), false);
    const { rows } = await s.t.db.query("select secret_digest from authority.clients where client_id = 'report-bot'");
    assert.match(rows[0].secret_digest, /^[0-9a-f]{64}$/);
    assert.notEqual(rows[0].secret_digest, created.body.clientSecret);
    const basic = 'Basic ' + Buffer.from(`report-bot:${created.body.clientSecret}`).toString('base64');
    const token = await s.token({ grant_type: 'client_credentials' }, { basic });
    assert.equal(decodeClaims(token.body.access_token)['stellaops:tenant'], 'tenant-charlie');
  });

  it('rejects duplicate, missing, malformed and unknown tenants with stable codes and changes nothing', async () => {
    const before = await auditCount();
    const cases: [unknown, string][] = [
      [{ tenants: 'tenant-alpha tenant-alpha' }, 'tenant_duplicate'],
      [{ tenants: ['tenant-alpha', 'TENANT-ALPHA'] }, 'tenant_duplicate'],
      [{}, 'tenant_assignment_missing'],
      [{ tenants: '' }, 'tenant_assignment_missing'],
      [{ tenants: [] }, 'tenant_assignment_missing'],
      [{ tenant: '' }, 'tenant_assignment_missing'],
      [{ tenants: ['tenant-alpha', 'ｔenant-bravo'] }, 'tenant_invalid'],
      [{ tenant: 'tenant alpha' }, 'tenant_invalid'],
      [{ tenants: [['nested']] }, 'tenant_invalid'],
      [{ tenants: 'tenant-alpha tenant-zulu' }, 'tenant_unknown'],
      [{ tenant: 'tenant-zulu' }, 'tenant_unknown'],
    ];
    for (const [assignment, code] of cases) {
      const res = await call('POST', '/admin/clients', { clientId: 'bad-client', grantTypes: ['client_credentials'], scopes: ['scanner:read'], ...(assignment as object) });
      assert.equal(res.status, 400, JSON.stringify(assignment));
      assert.equal(res.body.code, code, JSON.stringify(assignment));
      const user = await call('POST', '/admin/users', { username: 'bad-user', password: 'long-enough-pw', ...(assignment as object) });
      assert.equal(user.body.code, code, `user ${JSON.stringify(assignment)}`);
    }
    assert.equal((await call('GET', '/admin/clients/bad-client')).status, 404);
    assert.equal((await call('GET', '/admin/users/bad-user')).status, 404);
    assert.equal(await auditCount(), before, 'no audit event for a refused change');
  });

  it('an update with a bad assignment changes nothing; a good one is audited with before and after', async () => {
    const before = (await call('GET', '/admin/clients/scanner-bot')).body;
    const refused = await call('PATCH', '/admin/clients/scanner-bot', { tenants: 'tenant-alpha tenant-zulu', displayName: 'Renamed' });
    assert.equal(refused.body.code, 'tenant_unknown');
    assert.deepEqual((await call('GET', '/admin/clients/scanner-bot')).body, before);

    const ok = await call('PATCH', '/admin/clients/scanner-bot', { tenants: ['tenant-bravo', 'tenant-charlie', 'tenant-alpha'] });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.client.tenants, ['tenant-alpha', 'tenant-bravo', 'tenant-charlie']);
    assert.equal(ok.body.clientSecret, null);
    const audit = await call('GET', '/admin/audit?type=authority.client.updated&client=scanner-bot');
    assert.equal(audit.status, 200);
    const event = audit.body.items[0];
    const member = 'member';
    assert.deepEqual(event.properties.before, { tenant: null, tenants: ['tenant-alpha', 'tenant-bravo'], roles: { 'tenant-alpha': member, 'tenant-bravo': member }, fleetRoles: [] });
    assert.deepEqual(event.properties.after, {
      tenant: null,
      tenants: ['tenant-alpha', 'tenant-bravo', 'tenant-charlie'],
      roles: { 'tenant-alpha': member, 'tenant-bravo': member, 'tenant-charlie': member },
      fleetRoles: [],
    });
    assert.equal(event.actor, 'tenantgate-admin');
  });

  it('users: create, update (audited), password hashed with scrypt, delete', async () => {
    const created = await call('POST', '/admin/users', { username: 'frank', password: 'frank-password', tenants: 'tenant-alpha tenant-charlie', role: 'viewer' });
    assert.equal(created.status, 201);
    assert.equal(JSON.stringify(created.body).includes('password'), false);
    const { rows } = await s.t.db.query("select password_hash from authority.users where username = 'frank'");
    assert.match(rows[0].password_hash, /^scrypt\$16384\$8\$1\$/);
    const dup = await call('POST', '/admin/users', { username: 'frank', password: 'another-password', tenant: 'tenant-alpha' });
    assert.equal(dup.status, 409);
    const updated = await call('PATCH', '/admin/users/frank', { tenant: 'tenant-charlie' });
    assert.equal(updated.body.tenant, 'tenant-charlie');
    const audit = await call('GET', '/admin/audit?type=authority.user.updated');
    const roles = { 'tenant-alpha': 'viewer', 'tenant-charlie': 'viewer' };
    assert.deepEqual(audit.body.items[0].properties.before, { tenant: null, tenants: ['tenant-alpha', 'tenant-charlie'], roles, fleetRoles: [] });
    assert.deepEqual(audit.body.items[0].properties.after, { tenant: 'tenant-charlie', tenants: ['tenant-alpha', 'tenant-charlie'], roles, fleetRoles: [] });
    assert.equal((await call('DELETE', '/admin/users/frank')).status, 204);
    assert.equal((await call('GET', '/admin/users/frank')).status, 404);
    const deleted = await call('GET', '/admin/audit?type=authority.user.deleted');
    assert.deepEqual(deleted.body.items[0].properties.after, null);
  });

  it('tenants: create, invalid id, duplicate, cannot delete while assigned', async () => {
    assert.equal((await call('POST', '/admin/tenants', { id: 'Tenant-Delta', displayName: 'Delta AG' })).body.id, 'tenant-delta');
    assert.equal((await call('POST', '/admin/tenants', { id: 'tenant-delta' })).status, 409);
    assert.equal((await call('POST', '/admin/tenants', { id: 'tenant delta' })).body.code, 'tenant_invalid');
    assert.equal((await call('POST', '/admin/tenants', { id: 'ｔenant' })).body.code, 'tenant_invalid');
    const inUse = await call('DELETE', '/admin/tenants/tenant-alpha');
    assert.equal(inUse.status, 409);
    assert.match(inUse.body.detail, /still assigned/);
    assert.equal((await call('PATCH', '/admin/tenants/tenant-delta', { displayName: 'Delta Gruppe' })).body.displayName, 'Delta Gruppe');
    assert.equal((await call('DELETE', '/admin/tenants/tenant-delta')).status, 204);
    const list = await call('GET', '/admin/tenants');
    assert.deepEqual(list.body.items.map((t: any) => t.id), ['tenant-alpha', 'tenant-bravo', 'tenant-charlie']);
  });

  it('client validation beyond tenants', async () => {
    const cases: [unknown, string][] = [
      [{ clientId: 'x y', grantTypes: ['client_credentials'], tenant: 'tenant-alpha' }, 'validation_failed'],
      [{ clientId: 'c1', grantTypes: ['implicit'], tenant: 'tenant-alpha' }, 'validation_failed'],
      [{ clientId: 'c1', grantTypes: ['client_credentials'], public: true, tenant: 'tenant-alpha' }, 'validation_failed'],
      [{ clientId: 'c1', grantTypes: ['authorization_code'], tenant: 'tenant-alpha' }, 'validation_failed'],
      [{ clientId: 'c1', grantTypes: ['authorization_code'], redirectUris: ['/relative'], tenant: 'tenant-alpha' }, 'validation_failed'],
    ];
    for (const [body, code] of cases) assert.equal((await call('POST', '/admin/clients', body)).body.code, code, JSON.stringify(body));
    assert.equal((await call('POST', '/admin/clients', { clientId: 'scanner-bot', grantTypes: ['client_credentials'], tenant: 'tenant-alpha' })).status, 409);
  });

  it('GET /admin/audit filters by type, client, tenant, time range and pages with a cursor', async () => {
    for (let i = 0; i < 3; i++) await s.token({ grant_type: 'client_credentials', tenant: 'tenant-bravo' }, { basic: s.basic('ci-runner') });
    const page1 = await call('GET', '/admin/audit?type=authority.token.issued&client=ci-runner&tenant=tenant-bravo&limit=2');
    assert.equal(page1.body.items.length, 2);
    assert.ok(page1.body.nextCursor);
    const page2 = await call('GET', `/admin/audit?type=authority.token.issued&client=ci-runner&limit=2&cursor=${page1.body.nextCursor}`);
    assert.equal(page2.body.items.length, 1);
    assert.ok(Number(page2.body.items[0].id) < Number(page1.body.items[1].id));
    const future = await call('GET', `/admin/audit?client=ci-runner&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    assert.equal(future.body.items.length, 0);
    const past = await call('GET', `/admin/audit?client=ci-runner&to=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`);
    assert.equal(past.body.items.length, 0);
    const prefix = await call('GET', '/admin/audit?type=authority.token.*&client=ci-runner');
    assert.equal(prefix.body.items.length, 3);
    assert.equal((await call('GET', '/admin/audit?from=yesterday')).status, 400);
  });
});
