/**
 * Token lifecycle over HTTP: refresh-token rotation and family revocation on reuse, code
 * replay, the authorize page's refusals, the console endpoints, revocation, key rotation
 * with retired keys kept in the JWKS, and the rate limit.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { rotateSigningKey } from '../../src/authority/keys/signing-keys.ts';
import { publicUrl } from '../../src/config/schema.ts';
import { decodeHeader, startAuthorityStack, submitLogin, type AuthorityStack } from './authority-stack.ts';

describe('token lifecycle', () => {
  let s: AuthorityStack;
  let redirectUri: string;
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  function authUrl(overrides: Record<string, string | null> = {}): URL {
    const url = new URL(`${s.base}/connect/authorize`);
    const params: Record<string, string | null> = {
      response_type: 'code',
      client_id: 'stellaops-console',
      redirect_uri: redirectUri,
      scope: 'scanner:read offline_access',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...overrides,
    };
    for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
    return url;
  }

  async function loginAlice() {
    const out = await submitLogin(authUrl(), 'alice', s.credentials.users.alice.password);
    assert.equal(out.kind, 'redirect');
    const code = (out as { location: URL }).location.searchParams.get('code') as string;
    const res = await s.token({ grant_type: 'authorization_code', client_id: 'stellaops-console', code, redirect_uri: redirectUri, code_verifier: verifier });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { code, ...res.body };
  }

  const refresh = (rt: string, tenant?: string) => s.token({ grant_type: 'refresh_token', client_id: 'stellaops-console', refresh_token: rt, ...(tenant ? { tenant } : {}) });

  before(async () => {
    s = await startAuthorityStack({ 'authority.keyRefreshMs': 200 });
    redirectUri = `${publicUrl(s.config)}/auth/callback`;
  });
  after(async () => s?.stop());

  it('refresh tokens rotate; presenting a spent one revokes the whole family', async () => {
    const first = await loginAlice();
    const second = await refresh(first.refresh_token);
    assert.equal(second.status, 200);
    const third = await refresh(second.body.refresh_token, 'tenant-bravo');
    assert.equal(third.status, 200);

    const reuse = await refresh(first.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    // The newest token of the family is dead too.
    const newest = await refresh(third.body.refresh_token);
    assert.equal(newest.body.error, 'invalid_grant');
    const { rows } = await s.t.db.query("select count(*)::int as n from telemetry.audit_events where type = 'authority.refresh_token.reused'");
    assert.equal(rows[0].n, 1);
    // Another sign-in is a separate family and unaffected.
    const other = await loginAlice();
    assert.equal((await refresh(other.refresh_token)).status, 200);
  });

  it('a replayed authorization code is refused and revokes what it produced', async () => {
    const first = await loginAlice();
    const tenants = () => fetch(`${s.base}/console/tenants`, { headers: { authorization: `Bearer ${first.access_token}` } }).then((r) => r.status);
    assert.equal(await tenants(), 200);
    const replay = await s.token({ grant_type: 'authorization_code', client_id: 'stellaops-console', code: first.code, redirect_uri: redirectUri, code_verifier: verifier });
    assert.equal(replay.body.error, 'invalid_grant');
    assert.equal((await refresh(first.refresh_token)).body.error, 'invalid_grant');
    // The access token the first redemption produced is revoked too (and at every gateway: authority.revocations).
    assert.equal(await tenants(), 401);
    const { rows } = await s.t.db.query("select reason from authority.revocations where client_id = 'stellaops-console' and subject is not null");
    assert.deepEqual(rows.map((r) => r.reason), ['authorization code replayed']);
  });

  it('authorize: an unregistered redirect_uri is shown as an error page, never redirected', async () => {
    const res = await fetch(authUrl({ redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /redirect_uri is not registered/);
    const prefix = await fetch(authUrl({ redirect_uri: `${redirectUri}/extra` }), { redirect: 'manual' });
    assert.equal(prefix.status, 400, 'exact match only');
  });

  it('authorize: a public client must send PKCE S256', async () => {
    const variants: Record<string, string | null>[] = [{ code_challenge: null }, { code_challenge_method: 'plain' }, { code_challenge_method: null }];
    for (const overrides of variants) {
      const res = await fetch(authUrl(overrides), { redirect: 'manual' });
      assert.equal(res.status, 302, JSON.stringify(overrides));
      const loc = new URL(res.headers.get('location') as string);
      assert.equal(loc.searchParams.get('error'), 'invalid_request');
      assert.equal(loc.searchParams.get('state'), 'st');
    }
  });

  it('authorize: the login page is accessible, uncacheable and not frameable; a wrong password re-renders it', async () => {
    const res = await fetch(authUrl());
    const html = await res.text();
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.match(html, /<label for="username">/);
    assert.match(html, /<label for="password">/);
    assert.match(html, /<html lang="en">/);
    const out = await submitLogin(authUrl(), 'alice', 'wrong-password');
    assert.equal(out.kind, 'page');
    assert.equal((out as { status: number }).status, 401);
    assert.match((out as { html: string }).html, /role="alert"/);
  });

  it('console endpoints: tenants with display names and the selected tenant, profile, self-introspection', async () => {
    const first = await loginAlice();
    const switched = await refresh(first.refresh_token, 'tenant-bravo');
    const get = (path: string, token: string) => fetch(`${s.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const tenants = await (await get('/console/tenants', switched.body.access_token)).json();
    assert.deepEqual(tenants, {
      tenants: [
        { id: 'tenant-alpha', displayName: 'Alpha Corp' },
        { id: 'tenant-bravo', displayName: 'Bravo Ltd' },
      ],
      selectedTenant: 'tenant-bravo',
    });
    const profile = await (await get('/console/profile', switched.body.access_token)).json();
    assert.equal(profile.username, 'alice');
    assert.equal(profile.tenant, 'tenant-bravo');
    assert.equal(profile.tenantDisplayName, 'Bravo Ltd');
    assert.equal(profile.clientId, 'stellaops-console');
    const self = await (await get('/console/token/introspect', switched.body.access_token)).json();
    assert.equal(self.active, true);
    assert.equal(self['stellaops:tenant'], 'tenant-bravo');
    assert.equal((await fetch(`${s.base}/console/tenants`)).status, 401);
  });

  it('a revoked access token no longer opens the console or admin routes', async () => {
    const admin = await s.token({ grant_type: 'client_credentials' }, { basic: s.basic('tenantgate-admin') });
    const token = admin.body.access_token;
    assert.equal((await fetch(`${s.base}/admin/tenants`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const revoke = await fetch(`${s.base}/connect/revoke`, {
      method: 'POST',
      headers: { authorization: s.basic('tenantgate-admin'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    assert.equal(revoke.status, 200);
    assert.equal((await fetch(`${s.base}/admin/tenants`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
  });

  it('key rotation: new tokens use the new key, the JWKS keeps the retired key for old tokens', async () => {
    const before = await s.token({ grant_type: 'client_credentials' }, { basic: s.basic('legacy-cli') });
    const oldKid = decodeHeader(before.body.access_token).kid;
    const rotated = await rotateSigningKey(s.t.db, s.t.keyEncryptionKey, 'ES256', s.config.authority.accessTokenTtlSeconds);
    assert.deepEqual(rotated.retired, [oldKid]);
    let after = before;
    for (let i = 0; i < 50 && decodeHeader(after.body.access_token).kid !== rotated.kid; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await s.token({ grant_type: 'client_credentials' }, { basic: s.basic('legacy-cli') });
    }
    assert.equal(decodeHeader(after.body.access_token).kid, rotated.kid);
    assert.equal(decodeHeader(after.body.access_token).alg, 'ES256');
    const jwks = await (await fetch(`${s.base}/.well-known/jwks.json`)).json();
    // Beside them, the RS256 ID-token key: an access-token rotation leaves it alone.
    const accessKids = (keys: any[]) => keys.filter((k: any) => k.alg !== 'RS256').map((k: any) => k.kid);
    assert.deepEqual(accessKids(jwks.keys).sort(), [oldKid, rotated.kid].sort());
    assert.equal(jwks.keys.filter((k: any) => k.alg === 'RS256').length, 1);
    const keySet = createLocalJWKSet(jwks);
    for (const token of [before.body.access_token, after.body.access_token]) {
      await jwtVerify(token, keySet, { issuer: s.base, audience: 'tenantgate', typ: 'at+jwt' });
    }
    // Once every token the retired key signed has expired, it leaves the JWKS.
    await s.t.db.query("update authority.signing_keys set publish_until = now() - interval '1 second' where kid = $1", [oldKid]);
    let kids: string[] = [];
    for (let i = 0; i < 50; i++) {
      kids = accessKids((await (await fetch(`${s.base}/.well-known/jwks.json`)).json()).keys);
      if (kids.length === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(kids, [rotated.kid]);
    const check = await fetch(`${s.base}/console/profile`, { headers: { authorization: `Bearer ${before.body.access_token}` } });
    assert.equal(check.status, 401, 'a token whose key left the JWKS is refused');
  });
});

describe('rate limit', () => {
  let s: AuthorityStack;
  before(async () => {
    s = await startAuthorityStack({ 'authority.rateLimit': { perClientPerMinute: 3, perIpPerMinute: 6 } });
  });
  after(async () => s?.stop());

  it('answers 429 with Retry-After past the per-client limit, and other clients are unaffected', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof s.token>> | null = null;
    for (let i = 0; i < 5; i++) {
      last = await s.token({ grant_type: 'client_credentials' }, { basic: s.basic('legacy-cli') });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(Number(last!.headers.get('retry-after')) >= 1);
    assert.equal(last!.body.error_code, 'rate_limited');
    const other = await s.token({ grant_type: 'client_credentials' }, { basic: s.basic('ci-runner') });
    assert.equal(other.status, 200);
    // Seven requests from one address: the per-IP limit (6) answers whichever client asks next.
    const byAddress = await s.token({ grant_type: 'client_credentials', tenant: 'tenant-alpha' }, { basic: s.basic('scanner-bot') });
    assert.equal(byAddress.status, 429);
    assert.match(byAddress.body.error_description, /address/);
  });
});
