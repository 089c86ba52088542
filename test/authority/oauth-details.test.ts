/**
 * The Authority's OAuth edges: who may introspect a token (RFC 7662), revoking another
 * client's token (RFC 7009 §2.1), the single-use, session-bound tenant-choice ticket, and
 * the sign-in form's CSRF token.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { publicUrl } from '../../src/config/schema.ts';
import { chooseTenant, startAuthorityStack, submitLogin, type AuthorityStack, type AuthorizeOutcome } from './authority-stack.ts';

type Choice = Extract<AuthorizeOutcome, { kind: 'choice' }>;

describe('Authority OAuth details', () => {
  let s: AuthorityStack;
  let admin: string;
  const secrets: Record<string, string> = {};
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const verifier = randomBytes(32).toString('base64url');
  const basicOf = (id: string) => 'Basic ' + Buffer.from(`${id}:${secrets[id]}`).toString('base64');

  async function adminCall(method: string, path: string, body: unknown) {
    const res = await fetch(`${s.base}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    assert.ok(res.status === 200 || res.status === 201, JSON.stringify(json));
    return json;
  }
  const clientToken = async (id: string) => {
    const res = await s.token({ grant_type: 'client_credentials' }, { basic: basicOf(id) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token as string;
  };
  const form = (path: string, as: string, params: Record<string, string>) =>
    fetch(`${s.base}${path}`, { method: 'POST', headers: { authorization: basicOf(as), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
  const introspect = async (as: string, token: string) => (await form('/connect/introspect', as, { token })).json();

  function authUrl(): URL {
    const url = new URL(`${s.base}/connect/authorize`);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: 'stellaops-console',
      redirect_uri: `${publicUrl(s.config)}/auth/callback`,
      scope: 'scanner:read offline_access',
      state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  }

  before(async () => {
    s = await startAuthorityStack({ 'authority.clientCacheMs': 0 });
    admin = await s.adminToken();
    for (const c of [
      { clientId: 'app-one', grantTypes: ['client_credentials'], scopes: ['scanner:read'], tenant: 'tenant-alpha' },
      { clientId: 'app-two', grantTypes: ['client_credentials'], scopes: ['scanner:read'], tenant: 'tenant-alpha' },
      { clientId: 'resource-server', grantTypes: ['client_credentials'], scopes: ['scanner:read'], tenant: 'tenant-alpha' },
    ]) {
      secrets[c.clientId] = (await adminCall('POST', '/admin/clients', c)).clientSecret;
    }
    await adminCall('POST', '/admin/users', { username: 'chooser', tenants: ['tenant-alpha', 'tenant-bravo'], role: 'viewer', password });
  });
  after(async () => s?.stop());

  it("introspection: a client sees its own tokens; another client's token is {active:false}", async () => {
    const token = await clientToken('app-one');
    const own = await introspect('app-one', token);
    assert.equal(own.active, true);
    assert.equal(own.client_id, 'app-one');
    assert.deepEqual(await introspect('app-two', token), { active: false });
    assert.deepEqual(await introspect('resource-server', token), { active: false });
  });

  it('introspection: a client granted authority:introspect (a resource server) sees any token', async () => {
    await adminCall('PATCH', '/admin/clients/resource-server', { scopes: ['scanner:read', 'authority:introspect'] });
    const token = await clientToken('app-one');
    const seen = await introspect('resource-server', token);
    assert.equal(seen.active, true);
    assert.equal(seen.client_id, 'app-one');
    assert.deepEqual(await introspect('app-two', token), { active: false }, 'app-two is still not granted');
  });

  it("revocation: another client's valid token is refused 400 unauthorized_client and stays active", async () => {
    const token = await clientToken('app-one');
    const res = await form('/connect/revoke', 'app-two', { token });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error, 'unauthorized_client');
    assert.equal((await introspect('app-one', token)).active, true);
    // Unknown or invalid tokens are answered 200 (RFC 7009 §2.2); the owner's revocation works.
    assert.equal((await form('/connect/revoke', 'app-two', { token: 'not-a-token' })).status, 200);
    assert.equal((await form('/connect/revoke', 'app-one', { token })).status, 200);
    assert.equal((await introspect('app-one', token)).active, false);
  });

  it("revocation: another client's refresh token is refused too", async () => {
    const out = await submitLogin(authUrl(), 'alice', s.credentials.users.alice.password);
    assert.equal(out.kind, 'redirect');
    const code = (out as { location: URL }).location.searchParams.get('code') as string;
    const tokens = await s.token({ grant_type: 'authorization_code', client_id: 'stellaops-console', code, redirect_uri: `${publicUrl(s.config)}/auth/callback`, code_verifier: verifier });
    assert.match(tokens.body.refresh_token, /^rt_/);
    const res = await form('/connect/revoke', 'app-two', { token: tokens.body.refresh_token });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, 'unauthorized_client');
    const refreshed = await s.token({ grant_type: 'refresh_token', client_id: 'stellaops-console', refresh_token: tokens.body.refresh_token });
    assert.equal(refreshed.status, 200, 'the refresh token still works');
  });

  it('the sign-in session cookie is HttpOnly and SameSite', async () => {
    const page = await fetch(authUrl(), { redirect: 'manual' });
    const cookie = page.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^tg_signin=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=(Lax|Strict)/);
    assert.match(await page.text(), /<input type="hidden" name="csrf" value="[A-Za-z0-9_-]+">/);
  });

  it('CSRF: a login POST without the token, without the cookie or with another session’s cookie is refused 403', async () => {
    const other = await fetch(authUrl(), { redirect: 'manual' });
    const otherCookie = (other.headers.get('set-cookie') ?? '').split(';')[0];
    for (const tamper of [{ dropCsrf: true }, { dropCookie: true }, { cookie: otherCookie }]) {
      const out = await submitLogin(authUrl(), 'alice', s.credentials.users.alice.password, tamper);
      assert.equal(out.kind, 'page', JSON.stringify(tamper));
      assert.equal((out as { status: number }).status, 403, JSON.stringify(tamper));
    }
    const ok = await submitLogin(authUrl(), 'alice', s.credentials.users.alice.password);
    assert.equal(ok.kind, 'redirect', 'the untampered form still signs in');
  });

  it('a tenant-choice ticket works once: a second use fails', async () => {
    const out = await submitLogin(authUrl(), 'chooser', password);
    assert.equal(out.kind, 'choice');
    const choice = out as Choice;
    const first = await chooseTenant(authUrl(), choice, 'tenant-bravo');
    assert.equal(first.kind, 'redirect');
    const second = await chooseTenant(authUrl(), choice, 'tenant-bravo');
    assert.equal(second.kind, 'page');
    assert.equal((second as { status: number }).status, 400);
    assert.match((second as { html: string }).html, /already used/);
  });

  it('a tenant-choice ticket from another browser session fails', async () => {
    const mine = (await submitLogin(authUrl(), 'chooser', password)) as Choice;
    const theirs = (await submitLogin(authUrl(), 'chooser', password)) as Choice;
    assert.equal(mine.kind, 'choice');
    assert.equal(theirs.kind, 'choice');
    assert.notEqual(mine.session.cookie, theirs.session.cookie);
    const stolen = await chooseTenant(authUrl(), mine, 'tenant-alpha', theirs.session);
    assert.equal(stolen.kind, 'page');
    assert.equal((stolen as { status: number }).status, 400);
    assert.match((stolen as { html: string }).html, /another browser session/);
    // Without any session the POST is refused by the CSRF check.
    const anonymous = await chooseTenant(authUrl(), mine, 'tenant-alpha', { cookie: null, csrf: null });
    assert.equal((anonymous as { status: number }).status, 403);
    // The owner can still use it.
    assert.equal((await chooseTenant(authUrl(), mine, 'tenant-alpha')).kind, 'redirect');
  });
});
