/**
 * Disabling a client or a user (docs/authority.md, "Disabling a client or a user"): no token
 * by any grant, no sign-in (answered like a wrong password), no refresh; everything issued
 * before is inactive and stays so after enabling again; the state is listed and audited; a
 * tenant viewer cannot disable, a tenant admin only what its tenant holds alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearerCall, startAuthorityStack, submitLogin, type AuthorityStack } from './authority-stack.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';

describe('disabling a client or a user', () => {
  let s: AuthorityStack;
  let admin: string;

  const call = (method: string, path: string, body?: unknown, token = admin) => bearerCall(s.base, token, method, path, body);

  async function createClient(body: Record<string, unknown>) {
    const created = await call('POST', '/admin/clients', body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    s.credentials.clients[body.clientId as string] = { secret: created.body.clientSecret };
  }

  async function createUser(username: string, tenant = 'tenant-alpha') {
    const created = await call('POST', '/admin/users', { username, password: `${username}-password`, tenant, role: 'viewer' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }

  const signIn = (client: string, username: string, password = `${username}-password`) =>
    s.token({ grant_type: 'password', username, password, scope: 'platform:read' }, { basic: s.basic(client) });
  const refresh = (client: string, refreshToken: string) => s.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, { basic: s.basic(client) });
  const clientCredentials = (client: string) => s.token({ grant_type: 'client_credentials' }, { basic: s.basic(client) });

  async function introspection(token: string) {
    const res = await fetch(`${s.base}/connect/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: s.basic('dis-rs') },
      body: new URLSearchParams({ token }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { active: boolean };
  }

  function authorizeUrl(client: string): URL {
    const url = new URL(`${s.base}/connect/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: client, redirect_uri: REDIRECT, scope: 'platform:read', state: 'st' })) url.searchParams.set(k, v);
    return url;
  }

  async function codeFor(client: string, username: string): Promise<string> {
    const out = await submitLogin(authorizeUrl(client), username, `${username}-password`);
    assert.equal(out.kind, 'redirect', JSON.stringify(out));
    return (out as { location: URL }).location.searchParams.get('code')!;
  }

  const redeem = (client: string, code: string) => s.token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { basic: s.basic(client) });

  async function auditTypes(type: string): Promise<{ actor: string; tenant: string | null; properties: any }[]> {
    const { rows } = await s.t.db.query('select actor, tenant, properties from telemetry.audit_events where type = $1 order by id', [type]);
    return rows;
  }

  before(async () => {
    s = await startAuthorityStack();
    admin = await s.adminToken();
    await createClient({ clientId: 'dis-rs', grantTypes: ['client_credentials'], scopes: ['authority:introspect'], tenant: 'tenant-alpha' });
    await createClient({ clientId: 'dis-app', grantTypes: ['password', 'refresh_token', 'authorization_code'], scopes: ['platform:read'], redirectUris: [REDIRECT] });
    await createUser('dis-ulla');
    await createUser('dis-uwe');
  });
  after(async () => s?.stop());

  it('a disabled client gets no token by any grant, its tokens are inactive, it is listed and audited; enabling it again resurrects none', async () => {
    await createClient({
      clientId: 'dis-multi',
      grantTypes: ['client_credentials', 'password', 'refresh_token', 'authorization_code'],
      scopes: ['platform:read'],
      tenant: 'tenant-alpha',
      redirectUris: [REDIRECT],
    });
    const own = await clientCredentials('dis-multi');
    const user = await signIn('dis-multi', 'dis-ulla');
    assert.equal(user.status, 200, JSON.stringify(user.body));
    const code = await codeFor('dis-multi', 'dis-uwe');
    assert.equal((await introspection(own.body.access_token)).active, true);

    const disabled = await call('PATCH', '/admin/clients/dis-multi', { disabled: true });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal(disabled.body.client.disabled, true);
    assert.match(disabled.body.client.disabledAt, /^\d{4}-\d\d-\d\dT/);

    for (const refused of [await clientCredentials('dis-multi'), await signIn('dis-multi', 'dis-ulla'), await refresh('dis-multi', user.body.refresh_token), await redeem('dis-multi', code)]) {
      assert.equal(refused.status, 401, JSON.stringify(refused.body));
      assert.deepEqual(refused.body, { error: 'invalid_client', error_description: 'the client is disabled', error_code: 'invalid_client' });
    }
    const page = await fetch(authorizeUrl('dis-multi'), { redirect: 'manual' });
    assert.equal(page.status, 400);
    assert.match(await page.text(), /the client is disabled/);
    assert.equal((await introspection(own.body.access_token)).active, false);
    assert.equal((await introspection(user.body.access_token)).active, false, 'a user token through the disabled client');
    assert.equal((await introspection(user.body.refresh_token)).active, false);
    assert.equal((await fetch(`${s.base}/console/tenants`, { headers: { authorization: `Bearer ${own.body.access_token}` } })).status, 401);

    const listed = (await call('GET', '/admin/clients')).body.items.find((c: any) => c.clientId === 'dis-multi');
    assert.equal(listed.disabled, true);
    assert.equal((await call('GET', '/admin/clients/dis-rs')).body.disabled, false);
    const [event] = await auditTypes('authority.client.disabled');
    assert.equal(event.actor, 'tenantgate-admin');
    assert.equal(event.properties.client, 'dis-multi');

    const enabled = await call('PATCH', '/admin/clients/dis-multi', { disabled: false });
    assert.equal(enabled.body.client.disabled, false);
    assert.equal(enabled.body.client.disabledAt, null);
    assert.equal((await auditTypes('authority.client.enabled')).length, 1);
    const fresh = await clientCredentials('dis-multi');
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    assert.equal((await introspection(fresh.body.access_token)).active, true);
    assert.equal((await introspection(own.body.access_token)).active, false, 'enabling brought back a token issued before');
    assert.equal((await introspection(user.body.access_token)).active, false);
    assert.equal((await refresh('dis-multi', user.body.refresh_token)).body.error, 'invalid_grant');
    assert.equal((await redeem('dis-multi', code)).body.error, 'invalid_grant', 'a code issued before disabling was not withdrawn');
  });

  it('a disabled user cannot sign in (answered exactly like a wrong password) nor refresh; their tokens are inactive; enabling resurrects none', async () => {
    const first = await signIn('dis-app', 'dis-ulla');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const other = await signIn('dis-app', 'dis-uwe');
    const code = await codeFor('dis-app', 'dis-ulla');
    const wrongPassword = await signIn('dis-app', 'dis-ulla', 'not-her-password');
    const unknownUser = await signIn('dis-app', 'dis-nobody');
    assert.equal(wrongPassword.status, 400);

    const disabled = await call('PATCH', '/admin/users/dis-ulla', { disabled: true });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal(disabled.body.disabled, true);

    const refused = await signIn('dis-app', 'dis-ulla');
    assert.equal(refused.status, wrongPassword.status);
    assert.deepEqual(refused.body, wrongPassword.body, 'a disabled user is told apart from a wrong password');
    assert.deepEqual(unknownUser.body, wrongPassword.body);
    assert.equal(refused.body.error, 'invalid_grant');
    const page = await submitLogin(authorizeUrl('dis-app'), 'dis-ulla', 'dis-ulla-password');
    const wrongPage = await submitLogin(authorizeUrl('dis-app'), 'dis-ulla', 'not-her-password');
    assert.equal(page.kind, 'page');
    assert.equal((page as { status: number }).status, 401);
    assert.equal((wrongPage as { status: number }).status, 401);
    const message = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1] ?? html;
    assert.equal(message((page as { html: string }).html), message((wrongPage as { html: string }).html));
    assert.match((page as { html: string }).html, /The username or password is wrong, or the account is disabled\./);

    const refreshed = await refresh('dis-app', first.body.refresh_token);
    assert.equal(refreshed.status, 400);
    assert.equal(refreshed.body.error, 'invalid_grant');
    assert.equal((await redeem('dis-app', code)).body.error, 'invalid_grant');
    assert.equal((await introspection(first.body.access_token)).active, false);
    assert.equal((await introspection(first.body.refresh_token)).active, false);
    assert.equal((await introspection(other.body.access_token)).active, true, 'another user of the same client is unaffected');
    assert.equal((await fetch(`${s.base}/console/tenants`, { headers: { authorization: `Bearer ${first.body.access_token}` } })).status, 401);
    assert.equal((await call('GET', '/admin/users/dis-ulla')).body.disabled, true);
    assert.equal((await call('GET', '/admin/users')).body.items.find((u: any) => u.username === 'dis-uwe').disabled, false);
    const [event] = await auditTypes('authority.user.disabled');
    assert.equal(event.properties.user, 'dis-ulla');

    assert.equal((await call('PATCH', '/admin/users/dis-ulla', { disabled: false })).body.disabled, false);
    assert.equal((await auditTypes('authority.user.enabled')).length, 1);
    const again = await signIn('dis-app', 'dis-ulla');
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal((await introspection(again.body.access_token)).active, true);
    assert.equal((await introspection(first.body.access_token)).active, false, 'enabling brought back a token issued before');
    assert.equal((await refresh('dis-app', first.body.refresh_token)).body.error, 'invalid_grant');
    assert.equal((await refresh('dis-app', again.body.refresh_token)).status, 200);
  });

  it('disabling twice changes nothing more; a non-boolean is refused', async () => {
    await createUser('dis-twice');
    assert.equal((await call('PATCH', '/admin/users/dis-twice', { disabled: true })).status, 200);
    const before = (await s.t.db.query("select count(*)::int as n from authority.revocations where reason = 'user disabled'")).rows[0].n;
    const again = await call('PATCH', '/admin/users/dis-twice', { disabled: true });
    assert.equal(again.status, 200);
    assert.equal((await s.t.db.query("select count(*)::int as n from authority.revocations where reason = 'user disabled'")).rows[0].n, before);
    assert.equal((await call('PATCH', '/admin/users/dis-twice', { disabled: 'maybe' })).status, 400);
    assert.equal((await call('PATCH', '/admin/clients/dis-rs', { disabled: 'maybe' })).status, 400);
  });

  it('a tenant viewer cannot disable; a tenant admin disables only what its tenant holds alone', async () => {
    const alice = s.credentials.users.alice.password;
    // A client whose ceiling holds the tenant admin's scopes: alice's role decides what she gets.
    await createClient({ clientId: 'dis-admin-app', grantTypes: ['password'], scopes: ['authority:users.write', 'authority:users.read', 'authority:clients.write', 'authority:clients.read'] });
    const token = async (tenant: string) => {
      const res = await s.token({ grant_type: 'password', username: 'alice', password: alice, tenant }, { basic: s.basic('dis-admin-app') });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.access_token as string;
    };

    // Alice is a viewer in bravo: no write scope there at all.
    const viewer = await token('tenant-bravo');
    for (const path of ['/admin/users/bob', '/admin/clients/ci-runner']) {
      const res = await call('PATCH', path, { disabled: true }, viewer);
      assert.equal(res.status, 403, path);
      assert.equal(res.body.code, 'insufficient_scope', path);
    }
    assert.equal((await call('GET', '/admin/users/bob')).body.disabled, false);
    assert.equal((await call('GET', '/admin/clients/ci-runner')).body.disabled, false);

    // Alice is admin in alpha: users and clients alpha holds alone, nothing shared or fleet-wide.
    const tenantAdmin = await token('tenant-alpha');
    await createUser('dis-alpha-only');
    const ok = await call('PATCH', '/admin/users/dis-alpha-only', { disabled: true }, tenantAdmin);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.disabled, true);
    const [event] = (await auditTypes('authority.user.disabled')).filter((e) => e.properties.user === 'dis-alpha-only');
    assert.equal(event.tenant, 'tenant-alpha');
    assert.equal((await call('PATCH', '/admin/users/ops', { disabled: true }, tenantAdmin)).body.code, 'tenant_forbidden');
    assert.equal((await call('PATCH', '/admin/clients/scanner-bot', { disabled: true }, tenantAdmin)).body.code, 'tenant_forbidden');
    assert.equal((await call('GET', '/admin/users/ops')).body.disabled, false);
    assert.equal((await call('GET', '/admin/clients/scanner-bot')).body.disabled, false);
  });
});
