/**
 * The identity assertion as a standard: what the gateway signs verifies with jose's own
 * jwtVerify (EdDSA and ES256), carries exactly the claims of CONTRACT.md §8, and the key set
 * refreshes once on an unknown kid, spaced by its cooldown.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, exportJWK, jwtVerify, type JSONWebKeySet } from 'jose';
import { IdentityKeySet } from '../../src/identity/key-set.ts';
import { IdentityAssertionSigner, type IdentitySigningKey } from '../../src/identity/sign-assertion.ts';
import type { IdentityAlgorithm } from '../../src/identity/types.ts';
import { verifyIdentityAssertion } from '../../src/identity/verify-assertion.ts';

const ISSUER = 'https://gateway.example';
const alice = Object.freeze({ tenant: 'tenant-alpha', actor: 'alice', client: 'console', scopes: Object.freeze(['platform:read', 'graph:read']) });

async function keyPair(algorithm: IdentityAlgorithm, kid: string): Promise<{ key: IdentitySigningKey; jwks: JSONWebKeySet; publicKey: KeyObject }> {
  const { privateKey, publicKey } = algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return { key: { kid, algorithm, privateKey }, publicKey, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' }] } };
}

describe('identity assertion', () => {
  for (const algorithm of ['EdDSA', 'ES256'] as const) {
    it(`${algorithm}: a compact JWS jose verifies with typ, issuer and audience checks`, async () => {
      const { key, jwks } = await keyPair(algorithm, `id-${algorithm}`);
      const signer = new IdentityAssertionSigner(key, { issuer: ISSUER, ttlSeconds: 30, tenantClaim: 'stellaops:tenant' });
      const assertion = signer.sign(alice, { audience: 'graph', method: 'post', target: '/api/v1/graph/query?limit=5' });
      assert.deepEqual(decodeProtectedHeader(assertion), { alg: algorithm, kid: `id-${algorithm}`, typ: 'identity+jwt' });
      const { payload } = await jwtVerify(assertion, createLocalJWKSet(jwks), { typ: 'identity+jwt', algorithms: [algorithm], issuer: ISSUER, audience: 'graph' });
      assert.equal(payload.exp! - payload.iat!, 30);
      assert.equal(payload.htm, 'POST');
      assert.equal(payload.htu, '/api/v1/graph/query?limit=5');
      assert.equal(payload['stellaops:tenant'], 'tenant-alpha');
      assert.equal(payload.sub, 'alice');
      assert.equal(payload.client_id, 'console');
      assert.equal(payload.scope, 'platform:read graph:read');
      assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    });
  }

  it('a public route: no tenant claim, no client_id, an empty scope', async () => {
    const { key, jwks } = await keyPair('EdDSA', 'id-anon');
    const signer = new IdentityAssertionSigner(key, { issuer: ISSUER, ttlSeconds: 30, tenantClaim: 'stellaops:tenant' });
    const assertion = signer.sign({ tenant: null, actor: 'anonymous', client: null, scopes: [] }, { audience: 'authority', method: 'GET', target: '/.well-known/jwks.json' });
    const keys = new IdentityKeySet({ load: async () => jwks });
    const r = await verifyIdentityAssertion(assertion, { keys, issuer: ISSUER, audience: 'authority', method: 'GET', target: '/.well-known/jwks.json', tenantClaim: 'stellaops:tenant', tenantHeader: undefined });
    assert.ok(r.ok);
    assert.deepEqual(r.ok && r.identity, { tenant: null, actor: 'anonymous', client: null, scopes: [] });
    assert.equal(r.ok && 'stellaops:tenant' in r.claims, false);
  });

  it('the canonical header must equal the assertion tenant (normalized values, repeats alike)', async () => {
    const { key, jwks } = await keyPair('EdDSA', 'id-t');
    const signer = new IdentityAssertionSigner(key, { issuer: ISSUER, ttlSeconds: 30, tenantClaim: 'stellaops:tenant' });
    const assertion = signer.sign(alice, { audience: 'platform', method: 'GET', target: '/p' });
    const keys = new IdentityKeySet({ load: async () => jwks });
    const verify = (tenantHeader: string | string[] | undefined) =>
      verifyIdentityAssertion(assertion, { keys, issuer: ISSUER, audience: 'platform', method: 'GET', target: '/p', tenantClaim: 'stellaops:tenant', tenantHeader });
    for (const ok of ['tenant-alpha', ['tenant-alpha', 'TENANT-ALPHA ']]) assert.equal((await verify(ok)).ok, true, String(ok));
    for (const bad of [undefined, 'tenant-bravo', 'tenant-alpha,tenant-bravo', ['tenant-alpha', 'tenant-bravo']]) {
      const r = await verify(bad);
      assert.equal(!r.ok && r.code, 'identity_tenant_mismatch', String(bad));
    }
    const twice = await verifyIdentityAssertion([assertion, assertion], { keys, issuer: ISSUER, audience: 'platform', method: 'GET', target: '/p', tenantClaim: 'stellaops:tenant', tenantHeader: 'tenant-alpha' });
    assert.equal(!twice.ok && twice.code, 'identity_assertion_malformed');
    const none = await verifyIdentityAssertion(undefined, { keys, issuer: ISSUER, audience: 'platform', method: 'GET', target: '/p', tenantClaim: 'stellaops:tenant', tenantHeader: 'tenant-alpha' });
    assert.equal(!none.ok && none.code, 'identity_assertion_missing');
  });

  it('an algorithm outside the verifier allow-list is rejected even with a valid signature', async () => {
    const { key, jwks } = await keyPair('ES256', 'id-es');
    const signer = new IdentityAssertionSigner(key, { issuer: ISSUER, ttlSeconds: 30, tenantClaim: 'stellaops:tenant' });
    const assertion = signer.sign(alice, { audience: 'platform', method: 'GET', target: '/p' });
    const keys = new IdentityKeySet({ load: async () => jwks });
    const r = await verifyIdentityAssertion(assertion, { keys, issuer: ISSUER, audience: 'platform', method: 'GET', target: '/p', tenantClaim: 'stellaops:tenant', tenantHeader: 'tenant-alpha', algorithms: ['EdDSA'] });
    assert.equal(!r.ok && r.code, 'identity_algorithm_rejected');
  });

  it('rotation on the signer: the protected header follows the key', async () => {
    const a = await keyPair('EdDSA', 'id-a');
    const b = await keyPair('ES256', 'id-b');
    const signer = new IdentityAssertionSigner(a.key, { issuer: ISSUER, ttlSeconds: 30, tenantClaim: 'stellaops:tenant' });
    assert.equal(decodeProtectedHeader(signer.sign(alice, { audience: 'platform', method: 'GET', target: '/p' })).kid, 'id-a');
    signer.use(b.key);
    assert.deepEqual(decodeProtectedHeader(signer.sign(alice, { audience: 'platform', method: 'GET', target: '/p' })), { alg: 'ES256', kid: 'id-b', typ: 'identity+jwt' });
  });
});

describe('IdentityKeySet', () => {
  it('an unknown kid is looked up again once; forged kids are spaced by the cooldown, never refused before a fresh load', async () => {
    const a = await keyPair('EdDSA', 'id-a');
    const b = await keyPair('EdDSA', 'id-b');
    let published: JSONWebKeySet = a.jwks;
    let loads = 0;
    const keys = new IdentityKeySet({ load: async () => (loads++, published), cooldownMs: 200 });
    assert.ok(await keys.keyFor('id-a'));
    assert.equal(loads, 1);
    assert.ok(await keys.keyFor('id-a'));
    assert.equal(loads, 1, 'a known kid costs no load');
    // A rotation: the next kid appears in the published set; the first request naming it waits for one load.
    published = { keys: [...a.jwks.keys, ...b.jwks.keys] };
    const started = Date.now();
    const [x, y, z] = await Promise.all([keys.keyFor('id-b'), keys.keyFor('id-b'), keys.keyFor('id-b')]);
    assert.ok(x && y && z);
    assert.equal(loads, 2, 'concurrent lookups share one load');
    assert.ok(Date.now() - started >= 150, 'the load waited for the cooldown');
    // Forged kids: each answered null after a load that began after it arrived, at most one load per cooldown.
    const forged = await Promise.all(Array.from({ length: 20 }, (_, i) => keys.keyFor(`forged-${i}`)));
    assert.ok(forged.every((k) => k === null));
    assert.equal(loads, 3);
  });
});
