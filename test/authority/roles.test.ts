/**
 * Roles (src/contract/roles.ts): a token's scopes come from the role in its selected tenant
 * plus fleet roles; fleet operations need a fleet role; a tenant admin reaches only its own
 * tenant; audit reads stay in the selected tenant unless the caller is a fleet auditor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fleetOnlyScopes, roleScopes, scopesForRoles } from '../../src/contract/roles.ts';
import { scopes } from '../../src/contract/scopes.ts';
import { bearerCall, decodeClaims, startAuthorityStack, type AuthorityStack } from './authority-stack.ts';

describe('roles → scopes (pure)', () => {
  it('no tenant role grants a fleet scope; fleet roles grant rollout writes, tenants and cross-tenant administration', () => {
    for (const list of Object.values(roleScopes.tenant)) for (const s of fleetOnlyScopes) assert.ok(!list.includes(s), `a tenant role grants ${s}`);
    for (const s of [scopes.rolloutWrite, scopes.tenantsWrite, scopes.fleetWrite, scopes.fleetRead, scopes.auditFleet]) assert.ok(fleetOnlyScopes.includes(s), s);
    assert.ok(scopesForRoles('admin', []).includes(scopes.usersWrite));
    assert.ok(!scopesForRoles('viewer', []).includes(scopes.scannerWrite));
    assert.ok(scopesForRoles(null, ['operator']).includes(scopes.rolloutWrite));
    assert.ok(!scopesForRoles(null, ['auditor']).includes(scopes.rolloutWrite));
    assert.ok(scopesForRoles(null, ['auditor']).includes(scopes.auditFleet));
    assert.deepEqual(scopesForRoles(null, []), []);
  });
});

describe('roles at issuance and on the admin API', () => {
  let s: AuthorityStack;
  let admin: string;
  let passwordClient: string;

  const call = (method: string, path: string, token: string, body?: unknown) => bearerCall(s.base, token, method, path, body);

  async function userToken(username: string, tenant: string, extra: Record<string, string> = {}) {
    const res = await s.token({ grant_type: 'password', username, password: s.credentials.users[username]?.password ?? `${username}-password`, tenant, ...extra }, { basic: passwordClient });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  before(async () => {
    s = await startAuthorityStack();
    admin = await s.adminToken();
    // A first-party client that may ask for everything: the ceiling; roles decide.
    const created = await call('POST', '/admin/clients', admin, {
      clientId: 'roles-app',
      grantTypes: ['password', 'refresh_token'],
      scopes: Object.values(scopes),
      tenants: 'tenant-alpha tenant-bravo tenant-charlie',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    passwordClient = 'Basic ' + Buffer.from(`roles-app:${created.body.clientSecret}`).toString('base64');
  });
  after(async () => s?.stop());

  it('the demo seed: a fleet operator apart from the tenant users, and alice with different roles in her two tenants', async () => {
    assert.equal(s.credentials.users.alice.roles, 'tenant-alpha=admin tenant-bravo=viewer');
    assert.equal(s.credentials.users.bob.roles, 'tenant-bravo=member');
    assert.equal(s.credentials.users.ops.roles, 'tenant-alpha=viewer tenant-bravo=viewer tenant-charlie=viewer; fleet: operator, auditor');
    assert.match(s.credentials.clients['tenantgate-admin'].roles ?? '', /; fleet: operator, auditor$/);
    const { rows } = await s.t.db.query("select username, fleet_roles from authority.users where fleet_roles <> '{}' order by username");
    assert.deepEqual(rows, [{ username: 'ops', fleet_roles: ['auditor', 'operator'] }]);
  });

  it('the role in the selected tenant decides the scopes: alice is admin in alpha, viewer in bravo, operator nowhere', async () => {
    const alpha = decodeClaims((await userToken('alice', 'tenant-alpha')).access_token).scope.split(' ');
    const bravo = decodeClaims((await userToken('alice', 'tenant-bravo')).access_token).scope.split(' ');
    assert.ok(alpha.includes(scopes.usersWrite) && alpha.includes(scopes.scannerWrite) && alpha.includes(scopes.auditRead), alpha.join(' '));
    assert.ok(bravo.includes(scopes.scannerRead) && !bravo.includes(scopes.scannerWrite) && !bravo.includes(scopes.usersWrite), bravo.join(' '));
    for (const list of [alpha, bravo]) for (const s of fleetOnlyScopes) assert.ok(!list.includes(s), `alice received the fleet scope ${s}`);
  });

  it('switching tenant on refresh changes the scopes with the role', async () => {
    const inBravo = await userToken('alice', 'tenant-bravo');
    assert.ok(!decodeClaims(inBravo.access_token).scope.includes(scopes.scannerWrite));
    const toAlpha = await s.token({ grant_type: 'refresh_token', refresh_token: inBravo.refresh_token, tenant: 'tenant-alpha' }, { basic: passwordClient });
    assert.equal(toAlpha.status, 200, JSON.stringify(toAlpha.body));
    const claims = decodeClaims(toAlpha.body.access_token);
    assert.equal(claims['stellaops:tenant'], 'tenant-alpha');
    assert.ok(claims.scope.split(' ').includes(scopes.scannerWrite), claims.scope);
    const back = await s.token({ grant_type: 'refresh_token', refresh_token: toAlpha.body.refresh_token, tenant: 'tenant-bravo' }, { basic: passwordClient });
    assert.ok(!decodeClaims(back.body.access_token).scope.includes(scopes.scannerWrite));
  });

  it('requested scopes are intersected with the role; asking only for what the role lacks is invalid_scope', async () => {
    const narrowed = await userToken('alice', 'tenant-alpha', { scope: `${scopes.scannerRead} ${scopes.rolloutWrite}` });
    assert.equal(decodeClaims(narrowed.access_token).scope, scopes.scannerRead);
    const refused = await s.token(
      { grant_type: 'password', username: 'alice', password: s.credentials.users.alice.password, tenant: 'tenant-alpha', scope: scopes.rolloutWrite },
      { basic: passwordClient },
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_scope');
  });

  it('fleet scopes come from a fleet role only: a client whose scope list names rollout:write does not receive it without one', async () => {
    const created = await call('POST', '/admin/clients', admin, { clientId: 'wants-rollout', grantTypes: ['client_credentials'], scopes: [scopes.rolloutWrite, scopes.scannerRead], tenant: 'tenant-alpha' });
    const basic = 'Basic ' + Buffer.from(`wants-rollout:${created.body.clientSecret}`).toString('base64');
    const all = await s.token({ grant_type: 'client_credentials' }, { basic });
    assert.equal(decodeClaims(all.body.access_token).scope, scopes.scannerRead);
    assert.equal((await s.token({ grant_type: 'client_credentials', scope: scopes.rolloutWrite }, { basic })).body.error, 'invalid_scope');
    assert.equal((await call('PATCH', '/admin/clients/wants-rollout', admin, { fleetRoles: ['operator'] })).status, 200);
    const granted = await s.token({ grant_type: 'client_credentials', scope: scopes.rolloutWrite }, { basic });
    assert.equal(decodeClaims(granted.body.access_token).scope, scopes.rolloutWrite);
  });

  it('a tenant user assigned to two tenants cannot write rollout state or set gateway.tenantOverride; the operator can', async () => {
    for (const tenant of ['tenant-alpha', 'tenant-bravo']) {
      const alice = (await userToken('alice', tenant)).access_token;
      const flag = await call('POST', '/admin/rollout/flags', alice, { name: 'gateway.tenantOverride', value: true, reason: 'probe' });
      assert.equal(flag.status, 403, JSON.stringify(flag.body));
      assert.equal(flag.body.code, 'insufficient_scope');
      assert.equal((await call('POST', '/admin/rollout/freeze', alice, { reason: 'probe' })).status, 403);
      assert.equal((await call('GET', '/admin/rollout/status', alice)).status, 200, 'tenant users still read the rollout');
    }
    const { rows } = await s.t.db.query("select value from flags.flags where name = 'gateway.tenantOverride'").catch(() => ({ rows: [] as any[] }));
    if (rows[0]) assert.notEqual(rows[0].value, true);
    const ops = (await userToken('ops', 'tenant-alpha')).access_token;
    const set = await call('POST', '/admin/rollout/flags', ops, { name: 'gateway.tenantOverride', value: false, reason: 'operator' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
  });

  it('tenant creation needs a fleet role', async () => {
    const alice = (await userToken('alice', 'tenant-alpha')).access_token;
    assert.equal((await call('POST', '/admin/tenants', alice, { id: 'tenant-rogue' })).status, 403);
    assert.equal((await call('GET', '/admin/tenants', alice)).status, 403);
    const ops = (await userToken('ops', 'tenant-alpha')).access_token;
    assert.equal((await call('POST', '/admin/tenants', ops, { id: 'tenant-echo' })).status, 201);
  });

  it("audit reads stay in the token's selected tenant unless the caller is a fleet auditor", async () => {
    const alice = (await userToken('alice', 'tenant-alpha')).access_token;
    for (const other of ['tenant-charlie', 'tenant-bravo', 'TENANT-CHARLIE']) {
      const refused = await call('GET', `/admin/audit?tenant=${other}`, alice);
      assert.equal(refused.status, 403, `tenant=${other}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.code, 'tenant_forbidden');
    }
    const own = await call('GET', '/admin/audit?limit=500', alice);
    assert.equal(own.status, 200);
    assert.ok(own.body.items.length > 0);
    assert.ok(own.body.items.every((e: any) => e.tenant === 'tenant-alpha'), 'without tenant= only the selected tenant is read');
    assert.equal((await call('GET', '/admin/audit?tenant=tenant-alpha', alice)).status, 200);
    const bob = (await userToken('bob', 'tenant-bravo')).access_token;
    assert.equal((await call('GET', '/admin/audit', bob)).status, 403, 'a member holds no audit scope');
    const ops = (await userToken('ops', 'tenant-alpha')).access_token;
    const fleet = await call('GET', '/admin/audit?tenant=tenant-charlie', ops);
    assert.equal(fleet.status, 200);
  });

  it("a tenant admin manages only its own tenant's members and clients", async () => {
    const alice = (await userToken('alice', 'tenant-alpha')).access_token;
    const listed = await call('GET', '/admin/users', alice);
    assert.equal(listed.status, 200);
    const names = listed.body.items.map((u: any) => u.username);
    assert.ok(names.includes('alice') && !names.includes('bob'), names.join(' '));
    const self = listed.body.items.find((u: any) => u.username === 'alice');
    assert.deepEqual(self.roles, { 'tenant-alpha': 'admin' }, 'another tenant is not shown');
    assert.deepEqual(self.tenants, ['tenant-alpha']);
    assert.equal((await call('GET', '/admin/users/bob', alice)).status, 404);

    const created = await call('POST', '/admin/users', alice, { username: 'dana', password: 'dana-password', tenant: 'tenant-alpha', role: 'viewer' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await call('POST', '/admin/users', alice, { username: 'eve', password: 'eve-password-1', tenants: 'tenant-alpha tenant-bravo' })).body.code, 'tenant_forbidden');
    assert.equal((await call('POST', '/admin/users', alice, { username: 'eve', password: 'eve-password-1', tenant: 'tenant-alpha', fleetRoles: ['operator'] })).body.code, 'tenant_forbidden');
    assert.equal((await call('PATCH', '/admin/users/dana', alice, { fleetRoles: ['operator'] })).body.code, 'tenant_forbidden');
    assert.equal((await call('PATCH', '/admin/users/dana', alice, { tenants: 'tenant-bravo' })).body.code, 'tenant_forbidden');
    assert.equal((await call('PATCH', '/admin/users/bob', alice, { password: 'taken-over-1' })).body.code, 'tenant_forbidden');
    assert.equal((await call('DELETE', '/admin/users/ops', alice)).body.code, 'tenant_forbidden', 'ops is shared with other tenants and a fleet operator');
    assert.equal((await call('PATCH', '/admin/users/dana', alice, { role: 'member' })).status, 200);

    // Membership: its own tenant only, shared members included; never another tenant.
    assert.deepEqual((await call('PUT', '/admin/tenants/tenant-alpha/members/users/bob', alice, { role: 'viewer' })).body, { kind: 'user', id: 'bob', tenant: 'tenant-alpha', role: 'viewer' });
    assert.equal((await call('PUT', '/admin/tenants/tenant-bravo/members/users/dana', alice, { role: 'admin' })).body.code, 'tenant_forbidden');
    assert.equal((await call('PUT', '/admin/tenants/tenant-alpha/members/users/alice', alice, { role: 'owner' })).body.code, 'role_invalid');
    const members = await call('GET', '/admin/tenants/tenant-alpha/members', alice);
    assert.ok(members.body.items.some((m: any) => m.kind === 'user' && m.id === 'bob' && m.role === 'viewer'));
    assert.equal((await call('GET', '/admin/tenants/tenant-bravo/members', alice)).body.code, 'tenant_forbidden');
    const bobInTwo = await s.token({ grant_type: 'password', username: 'bob', password: s.credentials.users.bob.password }, { basic: passwordClient });
    assert.equal(decodeClaims(bobInTwo.body.access_token)['stellaops:tenant'], 'tenant-bravo', 'joining alpha did not change the tenant bob gets by default');
    assert.equal((await call('PUT', '/admin/tenants/tenant-alpha/members/clients/stellaops-console', alice, { role: 'viewer' })).body.code, 'tenant_forbidden', "the console's users bring their own tenants");
    assert.equal((await call('DELETE', '/admin/tenants/tenant-alpha/members/users/bob', alice)).status, 204);
    assert.equal((await call('DELETE', '/admin/tenants/tenant-bravo/members/users/bob', alice)).body.code, 'tenant_forbidden');

    // Clients: those its tenant holds alone.
    const client = await call('POST', '/admin/clients', alice, { clientId: 'alpha-bot', grantTypes: ['client_credentials'], tenant: 'tenant-alpha', role: 'viewer' });
    assert.equal(client.status, 201, JSON.stringify(client.body));
    assert.equal((await call('POST', '/admin/clients', alice, { clientId: 'wide-bot', grantTypes: ['client_credentials'], tenants: 'tenant-alpha tenant-charlie' })).body.code, 'tenant_forbidden');
    assert.equal((await call('PATCH', '/admin/clients/scanner-bot', alice, { displayName: 'mine now' })).body.code, 'tenant_forbidden');
    assert.equal((await call('PATCH', '/admin/clients/stellaops-console', alice, { scopes: [] })).body.code, 'tenant_forbidden');
    assert.equal((await call('DELETE', '/admin/clients/alpha-bot', alice)).status, 204);

    // Alice in bravo is a viewer there: no administration at all.
    const inBravo = (await userToken('alice', 'tenant-bravo')).access_token;
    assert.equal((await call('GET', '/admin/users', inBravo)).status, 403);
    assert.equal((await call('PUT', '/admin/tenants/tenant-bravo/members/users/alice', inBravo, { role: 'admin' })).status, 403);
  });

  it('the fleet operator grants fleet roles and manages clients and users across tenants', async () => {
    const ops = (await userToken('ops', 'tenant-alpha')).access_token;
    const wide = await call('POST', '/admin/users', ops, { username: 'frida', password: 'frida-password', tenants: 'tenant-bravo tenant-charlie', roles: { 'tenant-bravo': 'admin' }, fleetRoles: ['auditor'] });
    assert.equal(wide.status, 201, JSON.stringify(wide.body));
    assert.deepEqual(wide.body.roles, { 'tenant-bravo': 'admin', 'tenant-charlie': 'member' });
    assert.deepEqual(wide.body.fleetRoles, ['auditor']);
    assert.equal((await call('GET', '/admin/users/bob', ops)).body.username, 'bob');
    assert.equal((await call('PATCH', '/admin/users/frida', ops, { fleetRoles: ['owner'] })).body.code, 'role_invalid');
    assert.equal((await call('PATCH', '/admin/users/frida', ops, { scopes: ['rollout:write'] })).body.code, 'validation_failed', 'users hold roles, not scope lists');
    // The Authority applies the roles as they are now.
    const frida = (await userToken('frida', 'tenant-bravo')).access_token;
    assert.equal((await call('GET', '/admin/audit?tenant=tenant-charlie', frida)).status, 200);
    assert.equal((await call('PATCH', '/admin/users/frida', ops, { fleetRoles: 'none', role: 'viewer' })).status, 200);
    // Lowering the roles revokes the tokens issued before (at the Authority and every gateway);
    // a new token carries only what the roles grant now.
    assert.equal((await call('GET', '/admin/audit?tenant=tenant-charlie', frida)).status, 401);
    const after = (await userToken('frida', 'tenant-bravo')).access_token;
    assert.equal((await call('GET', '/admin/audit?tenant=tenant-charlie', after)).status, 403);
    assert.equal((await call('GET', '/admin/users', after)).status, 403, 'no longer admin in bravo');
  });
});
