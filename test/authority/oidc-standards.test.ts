/**
 * OpenID Connect and RFC 6750 details stock clients rely on: the RS256 ID-token key (its own
 * key, published, rotated apart from the access-token key, never verifying an access token),
 * the alg a client registers, discovery naming only what is supported, the UserInfo endpoint,
 * and exact Bearer challenges.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { loadActiveIdTokenKey, loadActiveKey, rotateSigningKey } from '../../src/authority/keys/signing-keys.ts';
import { publicUrl } from '../../src/config/schema.ts';
import { decodeClaims, decodeHeader, startAuthorityStack, submitLogin, type AuthorityStack } from './authority-stack.ts';
import { createHash, randomBytes } from 'node:crypto';

describe('OpenID Connect details: RS256 ID tokens, UserInfo, Bearer challenges', () => {
  let s: AuthorityStack;
  let admin: string;

  before(async () => {
    s = await startAuthorityStack();
    admin = await s.adminToken();
  });
  after(async () => s?.stop());

  /** Authorization code + PKCE for `clientId` as `user`; the token response. */
  async function codeFlow(clientId: string, scope: string, user = 'alice'): Promise<{ access_token: string; id_token?: string; status: number; body: any }> {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${s.base}/connect/authorize`);
    const redirectUri = `${publicUrl(s.config)}/auth/callback`;
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope,
      state: 'st',
      nonce: 'n-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const out = await submitLogin(url, user, s.credentials.users[user].password);
    assert.equal(out.kind, 'redirect');
    const code = (out as { location: URL }).location.searchParams.get('code') as string;
    const res = await s.token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier });
    return { ...res.body, status: res.status, body: res.body };
  }

  async function jwks() {
    return createLocalJWKSet(await (await fetch(`${s.base}/.well-known/jwks.json`)).json());
  }

  async function admin_(method: string, path: string, body: unknown) {
    const res = await fetch(`${s.base}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }

  it('discovery names RS256, the UserInfo endpoint, and no JWT client authentication', async () => {
    const meta = await (await fetch(`${s.base}/.well-known/openid-configuration`)).json();
    assert.ok(meta.id_token_signing_alg_values_supported.includes('RS256'));
    assert.equal('token_endpoint_auth_signing_alg_values_supported' in meta, false);
    for (const methods of [meta.token_endpoint_auth_methods_supported, meta.introspection_endpoint_auth_methods_supported, meta.revocation_endpoint_auth_methods_supported]) {
      assert.deepEqual(methods.filter((m: string) => m.endsWith('_jwt')), []);
    }
    assert.equal(meta.userinfo_endpoint, `${s.base}/connect/userinfo`);
    const keys = (await (await fetch(meta.jwks_uri)).json()).keys;
    const rsa = keys.filter((k: any) => k.alg === 'RS256');
    assert.equal(rsa.length, 1);
    assert.equal(rsa[0].use, 'sig');
    assert.equal(rsa[0].kty, 'RSA');
    assert.equal(rsa[0].d, undefined);
  });

  it('the ID token is RS256 by default and verifies with the JWKS; the access token keeps its own key', async () => {
    const tokens = await codeFlow('stellaops-console', 'openid profile scanner:read');
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const header = decodeHeader(tokens.id_token as string);
    assert.equal(header.alg, 'RS256');
    const idKey = await loadActiveIdTokenKey(s.t.db, s.t.keyEncryptionKey);
    assert.equal(header.kid, idKey?.kid);
    const { payload } = await jwtVerify(tokens.id_token as string, await jwks(), { issuer: s.base, audience: 'stellaops-console', algorithms: ['RS256'] });
    assert.equal(payload.nonce, 'n-1');
    assert.equal(payload['stellaops:tenant'], 'tenant-alpha');
    assert.equal(decodeHeader(tokens.access_token).alg, 'EdDSA');
  });

  it('a client that registered EdDSA gets an EdDSA ID token; an unknown alg is refused with validation_failed', async () => {
    const bad = await admin_('PATCH', '/admin/clients/stellaops-console', { idTokenSignedResponseAlg: 'HS256' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'validation_failed');
    const set = await admin_('PATCH', '/admin/clients/stellaops-console', { idTokenSignedResponseAlg: 'EdDSA' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.client.idTokenSignedResponseAlg, 'EdDSA');
    try {
      let alg = '';
      // The client cache may serve the record as it was for a moment.
      for (let i = 0; i < 50 && alg !== 'EdDSA'; i++) {
        alg = decodeHeader((await codeFlow('stellaops-console', 'openid')).id_token as string).alg;
        if (alg !== 'EdDSA') await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(alg, 'EdDSA');
    } finally {
      const reset = await admin_('PATCH', '/admin/clients/stellaops-console', { idTokenSignedResponseAlg: null });
      assert.equal(reset.body.client.idTokenSignedResponseAlg, null);
    }
  });

  it('the RS256 key never verifies an access token', async () => {
    const idKey = (await loadActiveIdTokenKey(s.t.db, s.t.keyEncryptionKey))!;
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({
      iss: s.base,
      sub: 'scanner-bot',
      aud: 'tenantgate',
      client_id: 'scanner-bot',
      scope: 'scanner:read',
      iat: now,
      exp: now + 300,
      jti: `rs-${now}`,
      'stellaops:tenant': 'tenant-alpha',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: idKey.kid })
      .sign(idKey.privateKey);
    const res = await fetch(`${s.base}/console/profile`, { headers: { authorization: `Bearer ${forged}` } });
    assert.equal(res.status, 401);
    const introspected = await fetch(`${s.base}/connect/introspect`, {
      method: 'POST',
      headers: { authorization: s.basic('scanner-bot'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: forged }),
    });
    assert.equal((await introspected.json()).active, false);
  });

  it('rotating the ID-token key retires only it; the retired key stays published', async () => {
    const access = (await loadActiveKey(s.t.db, s.t.keyEncryptionKey))!;
    const before = (await loadActiveIdTokenKey(s.t.db, s.t.keyEncryptionKey))!;
    const rotated = await rotateSigningKey(s.t.db, s.t.keyEncryptionKey, 'RS256', s.config.authority.accessTokenTtlSeconds);
    assert.deepEqual(rotated.retired, [before.kid]);
    assert.equal((await loadActiveKey(s.t.db, s.t.keyEncryptionKey))!.kid, access.kid);
    let kid = '';
    // The Authority re-reads its keys every authority.keyRefreshMs (10 s by default).
    const deadline = Date.now() + 20_000;
    while (kid !== rotated.kid && Date.now() < deadline) {
      kid = decodeHeader((await codeFlow('stellaops-console', 'openid')).id_token as string).kid;
      if (kid !== rotated.kid) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(kid, rotated.kid);
    const kids = (await (await fetch(`${s.base}/.well-known/jwks.json`)).json()).keys.map((k: any) => k.kid);
    for (const k of [access.kid, before.kid, rotated.kid]) assert.ok(kids.includes(k), k);
  });

  it('UserInfo: GET and POST with an openid token answer sub, the selected tenant and (with profile) the username', async () => {
    const tokens = await codeFlow('stellaops-console', 'openid profile scanner:read');
    const sub = decodeClaims(tokens.access_token).sub;
    const inits: RequestInit[] = [
      { method: 'GET', headers: { authorization: `Bearer ${tokens.access_token}` } },
      { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
    ];
    for (const init of inits) {
      const res = await fetch(`${s.base}/connect/userinfo`, init);
      assert.equal(res.status, 200, init.method);
      assert.match(res.headers.get('cache-control') ?? '', /no-store/);
      assert.deepEqual(await res.json(), { sub, preferred_username: 'alice', 'stellaops:tenant': 'tenant-alpha' });
    }
    const bare = await codeFlow('stellaops-console', 'openid scanner:read', 'bob');
    const res = await fetch(`${s.base}/connect/userinfo`, { headers: { authorization: `Bearer ${bare.access_token}` } });
    assert.deepEqual(await res.json(), { sub: decodeClaims(bare.access_token).sub, 'stellaops:tenant': 'tenant-bravo' }, 'no profile, no username');
  });

  it('UserInfo refusals are RFC 6750 challenges', async () => {
    const none = await fetch(`${s.base}/connect/userinfo`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="tenantgate"');
    assert.equal((await none.json()).code, 'unauthorized');

    const basic = await fetch(`${s.base}/connect/userinfo`, { headers: { authorization: s.basic('scanner-bot') } });
    assert.equal(basic.status, 401);
    assert.equal(basic.headers.get('www-authenticate'), 'Bearer realm="tenantgate"', 'another scheme is no bearer credential');

    const invalid = await fetch(`${s.base}/connect/userinfo`, { headers: { authorization: 'Bearer not.a.token' } });
    assert.equal(invalid.status, 401);
    assert.equal(invalid.headers.get('www-authenticate'), 'Bearer realm="tenantgate", error="invalid_token"');

    const withoutOpenid = await codeFlow('stellaops-console', 'scanner:read');
    const scoped = await fetch(`${s.base}/connect/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${withoutOpenid.access_token}` } });
    assert.equal(scoped.status, 403);
    assert.equal(scoped.headers.get('www-authenticate'), 'Bearer realm="tenantgate", error="insufficient_scope", scope="openid"');
    assert.equal((await scoped.json()).code, 'insufficient_scope');

    const bot = (await s.token({ grant_type: 'client_credentials', tenant: 'tenant-alpha' }, { basic: s.basic('scanner-bot') })).body.access_token;
    const client = await fetch(`${s.base}/connect/userinfo`, { headers: { authorization: `Bearer ${bot}` } });
    assert.equal(client.status, 403, 'a client token describes no user');
  });

  it('the Authority\'s other bearer routes answer the same challenges', async () => {
    const none = await fetch(`${s.base}/console/profile`);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="tenantgate"');
    const invalid = await fetch(`${s.base}/admin/clients`, { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } });
    assert.equal(invalid.status, 401);
    assert.equal(invalid.headers.get('www-authenticate'), 'Bearer realm="tenantgate", error="invalid_token"');
    const bot = (await s.token({ grant_type: 'client_credentials', tenant: 'tenant-alpha' }, { basic: s.basic('scanner-bot') })).body.access_token;
    const admin = await fetch(`${s.base}/admin/clients`, { headers: { authorization: `Bearer ${bot}` } });
    assert.equal(admin.status, 403);
    assert.equal(admin.headers.get('www-authenticate'), 'Bearer realm="tenantgate", error="insufficient_scope", scope="authority:fleet.read"');
  });
});
