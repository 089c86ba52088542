/**
 * Interop with an independent client: openid-client (v6) runs discovery, client_credentials
 * with `tenant`, authorization code + PKCE (driving the login form over HTTP), refresh with a
 * tenant switch, introspection and revocation. Every token verifies with jose's
 * createRemoteJWKSet against the served JWKS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import { publicUrl } from '../../src/config/schema.ts';
import { startAuthorityStack, submitLogin, type AuthorityStack } from './authority-stack.ts';

describe('interop: openid-client v6 and jose against the running Authority', () => {
  let s: AuthorityStack;
  let jwks: JWTVerifyGetKey;
  let scanner: oidc.Configuration;
  let console_: oidc.Configuration;

  const insecure = { execute: [oidc.allowInsecureRequests] };

  async function verify(token: string) {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: s.base, audience: 'tenantgate', typ: 'at+jwt', algorithms: ['EdDSA', 'ES256'] });
    return { payload, protectedHeader };
  }

  before(async () => {
    s = await startAuthorityStack();
    scanner = await oidc.discovery(new URL(s.base), 'scanner-bot', undefined, oidc.ClientSecretBasic(s.credentials.clients['scanner-bot'].secret), insecure);
    console_ = await oidc.discovery(new URL(s.base), 'stellaops-console', undefined, oidc.None(), insecure);
    jwks = createRemoteJWKSet(new URL(scanner.serverMetadata().jwks_uri as string));
  });
  after(async () => s?.stop());

  it('discovery: OpenID and RFC 8414 documents agree and name the contract endpoints', async () => {
    const meta = scanner.serverMetadata();
    assert.equal(meta.issuer, s.base);
    assert.equal(meta.token_endpoint, `${s.base}/connect/token`);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    const rfc8414 = await (await fetch(`${s.base}/.well-known/oauth-authorization-server`)).json();
    assert.equal(rfc8414.issuer, meta.issuer);
    assert.equal(rfc8414.jwks_uri, meta.jwks_uri);
    const keys = await (await fetch(meta.jwks_uri as string)).json();
    assert.ok(keys.keys.length >= 1);
    for (const k of keys.keys) {
      assert.equal(k.d, undefined, 'no private material in the JWKS');
      assert.ok(['EdDSA', 'ES256', 'RS256'].includes(k.alg));
    }
    assert.ok(keys.keys.some((k: any) => k.alg === 'RS256' && k.kty === 'RSA'), 'the RS256 ID-token key is published');
    assert.deepEqual(meta.id_token_signing_alg_values_supported, ['RS256', 'EdDSA']);
    assert.equal(meta.token_endpoint_auth_signing_alg_values_supported, undefined, 'no JWT client authentication is offered');
    assert.equal(meta.userinfo_endpoint, `${s.base}/connect/userinfo`);
  });

  it('client_credentials with tenant=tenant-bravo verifies and carries one tenant', async () => {
    const tokens = await oidc.clientCredentialsGrant(scanner, { tenant: 'tenant-bravo', scope: 'scanner:read scanner:write' });
    const { payload, protectedHeader } = await verify(tokens.access_token);
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.equal(payload['stellaops:tenant'], 'tenant-bravo');
    assert.equal(payload.scope, 'scanner:read scanner:write');
    assert.equal(payload.client_id, 'scanner-bot');
  });

  it('client_credentials without tenant for an ambiguous client is an OAuth error with error_code', async () => {
    await assert.rejects(oidc.clientCredentialsGrant(scanner), (err: any) => {
      assert.equal(err.error, 'invalid_request');
      assert.equal(err.status, 400);
      assert.equal(err.cause.error_code, 'tenant_ambiguous');
      return true;
    });
  });

  it('authorization code + PKCE through the login page, then refresh with a tenant switch', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const redirectUri = `${publicUrl(s.config)}/auth/callback`;
    const url = oidc.buildAuthorizationUrl(console_, {
      redirect_uri: redirectUri,
      scope: 'openid profile offline_access scanner:read',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const out = await submitLogin(url, 'alice', s.credentials.users.alice.password);
    assert.equal(out.kind, 'redirect');
    const callback = (out as { location: URL }).location;
    assert.equal(`${callback.origin}${callback.pathname}`, redirectUri);
    const tokens = await oidc.authorizationCodeGrant(console_, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const { payload } = await verify(tokens.access_token);
    assert.equal(payload['stellaops:tenant'], 'tenant-alpha');
    assert.equal(payload.client_id, 'stellaops-console');
    const idClaims = tokens.claims();
    assert.equal(idClaims?.nonce, nonce);
    assert.equal(idClaims?.preferred_username, 'alice');
    assert.equal(idClaims?.sub, payload.sub);
    // RS256 by default (the client registered no id_token_signed_response_alg), verifiable with the JWKS.
    const id = await jwtVerify(tokens.id_token as string, jwks, { issuer: s.base, audience: 'stellaops-console', algorithms: ['RS256'] });
    assert.equal(id.protectedHeader.alg, 'RS256');
    assert.equal(id.payload['stellaops:tenant'], 'tenant-alpha');
    const userinfo = await oidc.fetchUserInfo(console_, tokens.access_token, payload.sub as string);
    assert.deepEqual(userinfo, { sub: payload.sub, preferred_username: 'alice', 'stellaops:tenant': 'tenant-alpha' });
    assert.ok(tokens.refresh_token);

    const switched = await oidc.refreshTokenGrant(console_, tokens.refresh_token as string, { tenant: 'tenant-bravo' });
    const after = await verify(switched.access_token);
    assert.equal(after.payload['stellaops:tenant'], 'tenant-bravo');
    assert.equal(after.payload.sub, payload.sub);
    assert.notEqual(switched.refresh_token, tokens.refresh_token);
    // The earlier token still verifies and still names alpha: switching made a new token.
    assert.equal((await verify(tokens.access_token)).payload['stellaops:tenant'], 'tenant-alpha');
  });

  it('a PKCE verifier that does not match is refused', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(console_, {
      redirect_uri: `${publicUrl(s.config)}/auth/callback`,
      scope: 'scanner:read',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const out = await submitLogin(url, 'bob', s.credentials.users.bob.password);
    await assert.rejects(
      oidc.authorizationCodeGrant(console_, (out as { location: URL }).location, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state }),
      (err: any) => err.error === 'invalid_grant',
    );
  });

  it('introspection: active with the tenant; inactive after revocation and after un-assignment', async () => {
    const a = await oidc.clientCredentialsGrant(scanner, { tenant: 'tenant-bravo' });
    const active = await oidc.tokenIntrospection(scanner, a.access_token);
    assert.equal(active.active, true);
    assert.equal(active['stellaops:tenant'], 'tenant-bravo');
    assert.equal(active.client_id, 'scanner-bot');

    await oidc.tokenRevocation(scanner, a.access_token);
    assert.equal((await oidc.tokenIntrospection(scanner, a.access_token)).active, false);

    const b = await oidc.clientCredentialsGrant(scanner, { tenant: 'tenant-bravo' });
    assert.equal((await oidc.tokenIntrospection(scanner, b.access_token)).active, true);
    const admin = await s.adminToken();
    const patch = await fetch(`${s.base}/admin/clients/scanner-bot`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenants: 'tenant-alpha' }),
    });
    assert.equal(patch.status, 200);
    assert.equal((await oidc.tokenIntrospection(scanner, b.access_token)).active, false, 'bravo is no longer assigned');
    // The signature still verifies: only the Authority (which sees the database) can tell.
    assert.equal((await verify(b.access_token)).payload['stellaops:tenant'], 'tenant-bravo');
    const bad = await oidc.tokenIntrospection(scanner, 'not-a-token');
    assert.equal(bad.active, false);
  });
});
