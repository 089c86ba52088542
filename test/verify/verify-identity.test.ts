/** @tenantgate/verify: every rejection code, against a real key-set server. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { checkAssertion, createIdentityVerifier, IdentityError, remoteKeySet, verifyIdentity, type AssertionPolicy, type IdentityErrorCode, type IdentityVerifier } from '../../packages/verify/src/index.ts';
import { makeKey, startLocalIssuer, type AssertionInput, type LocalIssuer } from './support/local-issuer.ts';

const target = '/api/v1/things?x=1';

describe('verifyIdentity', () => {
  let issuer: LocalIssuer;
  let verifier: IdentityVerifier;

  before(async () => {
    issuer = await startLocalIssuer();
    verifier = createIdentityVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience });
  });
  after(() => issuer.close());

  async function refused(headers: Record<string, string | string[]>, code: IdentityErrorCode, request = { method: 'GET', url: target }) {
    await assert.rejects(verifier.verify(headers, request), (err: unknown) => {
      assert.ok(err instanceof IdentityError, `expected IdentityError, got ${String(err)}`);
      assert.equal(err.code, code, err.message);
      assert.equal(err.status, 401);
      return true;
    });
  }
  const signed = (input: Partial<AssertionInput> = {}) => issuer.headers({ method: 'GET', target, ...input });

  test('accepts the assertion the gateway writes and returns the identity', async () => {
    const identity = await verifier.verify(await signed(), { method: 'GET', url: target });
    assert.equal(identity.tenant, 'tenant-alpha');
    assert.equal(identity.subject, 'user-1');
    assert.equal(identity.clientId, 'console');
    assert.deepEqual(identity.scopes, ['inventory:read', 'inventory:write']);
    assert.equal(identity.claims.htu, target);
  });

  test('the one-call form shares a verifier per configuration', async () => {
    const options = { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, method: 'POST', url: '/x' };
    const before = issuer.fetches();
    for (let i = 0; i < 3; i++) {
      const identity = await verifyIdentity(await issuer.headers({ method: 'POST', target: '/x' }), options);
      assert.equal(identity.tenant, 'tenant-alpha');
    }
    assert.equal(issuer.fetches() - before, 1);
  });

  test('reads fetch Headers and absolute request URLs too', async () => {
    const headers = new Headers(await signed());
    const identity = await verifier.verify(headers, { method: 'GET', url: `http://service.internal${target}` });
    assert.equal(identity.tenant, 'tenant-alpha');
  });

  test('missing_assertion', async () => {
    await refused({ 'x-stellaops-tenant': 'tenant-alpha' }, 'missing_assertion');
    await refused({ 'x-stellaops-identity': '  ', 'x-stellaops-tenant': 'tenant-alpha' }, 'missing_assertion');
  });

  test('malformed_assertion', async () => {
    const good = await signed();
    await refused({ ...good, 'x-stellaops-identity': 'not-a-jws' }, 'malformed_assertion');
    await refused({ ...good, 'x-stellaops-identity': `${good['x-stellaops-identity']}, ${good['x-stellaops-identity']}` }, 'malformed_assertion');
    await refused({ ...good, 'x-stellaops-identity': [good['x-stellaops-identity'], good['x-stellaops-identity']] }, 'malformed_assertion');
    await refused({ ...good, 'x-stellaops-identity': 'bm90LWpzb24.e30.c2ln' }, 'malformed_assertion');
    await refused(await signed({ header: { kid: undefined } }), 'malformed_assertion');
    await refused(await signed({ claims: { jti: undefined } }), 'malformed_assertion');
    await refused(await signed({ claims: { sub: 42 } }), 'malformed_assertion');
    await refused(await signed({ claims: { scope: ['a', 'b'] } }), 'malformed_assertion');
  });

  test('bad_signature: another key under a published kid, or a tampered payload', async () => {
    const forger = await makeKey(issuer.current.kid);
    await refused(await signed({ key: forger }), 'bad_signature');
    const good = await signed();
    const [h, , s] = good['x-stellaops-identity'].split('.');
    const other = (await signed({ tenant: 'tenant-bravo' }))['x-stellaops-identity'].split('.')[1];
    await refused({ 'x-stellaops-identity': `${h}.${other}.${s}`, 'x-stellaops-tenant': 'tenant-bravo' }, 'bad_signature');
  });

  test('unknown_key', async () => {
    await refused(await signed({ key: await makeKey('not-published') }), 'unknown_key');
  });

  test('wrong_audience, wrong_issuer', async () => {
    await refused(await signed({ audience: 'billing' }), 'wrong_audience');
    await refused(await signed({ issuer: 'https://other-gateway.example' }), 'wrong_issuer');
  });

  test('wrong_method and wrong_target: an assertion replayed to another request', async () => {
    const headers = await signed();
    await refused(headers, 'wrong_method', { method: 'DELETE', url: target });
    await refused(headers, 'wrong_target', { method: 'GET', url: '/api/v1/things?x=2' });
    await refused(headers, 'wrong_target', { method: 'GET', url: '/api/v1/things' });
    await refused(headers, 'wrong_target', { method: 'GET', url: '/api/v1/other?x=1' });
  });

  test('expired and not_yet_valid, outside the clock tolerance', async () => {
    await refused(await signed({ iatOffset: -60, ttl: 30 }), 'expired');
    await refused(await signed({ iatOffset: 60 }), 'not_yet_valid');
    await refused(await signed({ claims: { nbf: Math.floor(Date.now() / 1000) + 60 } }), 'not_yet_valid');
    // Within the default 5 s of tolerance a just-expired assertion still passes.
    await verifier.verify(await signed({ iatOffset: -32, ttl: 30 }), { method: 'GET', url: target });
  });

  test('wrong_type: typ missing or different', async () => {
    await refused(await signed({ header: { typ: 'JWT' } }), 'wrong_type');
    await refused(await signed({ header: { typ: 'at+jwt' } }), 'wrong_type');
    await refused(await signed({ header: { typ: undefined } }), 'wrong_type');
  });

  test('algorithm_not_allowed: none, HMAC, or an algorithm the service left out', async () => {
    const claims = { iss: issuer.issuer, aud: issuer.audience, htm: 'GET', htu: target };
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: issuer.current.kid, typ: 'identity+jwt' }).sign(new TextEncoder().encode('0123456789abcdef0123456789abcdef'));
    await refused({ 'x-stellaops-identity': hmac, 'x-stellaops-tenant': 'tenant-alpha' }, 'algorithm_not_allowed');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${b64({ alg: 'none', kid: issuer.current.kid, typ: 'identity+jwt' })}.${b64(claims)}.c2ln`;
    await refused({ 'x-stellaops-identity': none, 'x-stellaops-tenant': 'tenant-alpha' }, 'algorithm_not_allowed');

    const es = await makeKey('identity-es', 'ES256');
    issuer.published = [...issuer.published, es];
    const only = createIdentityVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, algorithms: ['EdDSA'] });
    await assert.rejects(only.verify(await signed({ key: es }), { method: 'GET', url: target }), { code: 'algorithm_not_allowed' });
    // ES256 is in the default list.
    const both = createIdentityVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience });
    assert.equal((await both.verify(await signed({ key: es }), { method: 'GET', url: target })).tenant, 'tenant-alpha');
    // A header that names ES256 over an EdDSA key does not get past the key's own algorithm.
    const good = await signed();
    const [, payload, signature] = good['x-stellaops-identity'].split('.');
    const lying = `${b64({ alg: 'ES256', kid: issuer.current.kid, typ: 'identity+jwt' })}.${payload}.${signature}`;
    await assert.rejects(both.verify({ ...good, 'x-stellaops-identity': lying }, { method: 'GET', url: target }), { code: 'unknown_key' });
  });

  test('invalid_tenant: not one normalized tenant id', async () => {
    for (const tenant of ['Tenant-Alpha', ' tenant-alpha', 'tenant-alpha tenant-bravo', 'tenant-alpha,tenant-bravo', '', '-x', 'x'.repeat(129)]) {
      await refused({ ...(await signed({ claims: { 'stellaops:tenant': tenant } })), 'x-stellaops-tenant': tenant }, 'invalid_tenant');
    }
    await refused(await signed({ claims: { 'stellaops:tenant': ['tenant-alpha'] } }), 'invalid_tenant');
    await refused(await signed({ claims: { 'stellaops:tenant': undefined } }), 'invalid_tenant');
  });

  test('tenant_mismatch: the canonical tenant header absent, repeated, or another tenant', async () => {
    const good = await signed();
    await refused({ 'x-stellaops-identity': good['x-stellaops-identity'] }, 'tenant_mismatch');
    await refused({ ...good, 'x-stellaops-tenant': 'tenant-bravo' }, 'tenant_mismatch');
    await refused({ ...good, 'x-stellaops-tenant': 'TENANT-ALPHA' }, 'tenant_mismatch');
    await refused({ ...good, 'x-stellaops-tenant': 'tenant-alpha, tenant-bravo' }, 'tenant_mismatch');
    await refused({ ...good, 'x-stellaops-tenant': ['tenant-alpha', 'tenant-alpha'] }, 'tenant_mismatch');
  });

  test('aud must be one string; exp − iat within maxLifetimeSec (default 300 s)', async () => {
    await refused(await signed({ audience: [issuer.audience, 'billing'] as never }), 'wrong_audience');
    await refused(await signed({ audience: [issuer.audience] as never }), 'wrong_audience');
    await refused(await signed({ ttl: 301 }), 'expired');
    await refused(await signed({ ttl: -1, iatOffset: 3 }), 'expired');
    await refused(await signed({ claims: { exp: Math.floor(Date.now() / 1000) + 30.5 } }), 'expired');
    assert.equal((await verifier.verify(await signed({ ttl: 300 }), { method: 'GET', url: target })).tenant, 'tenant-alpha');
    const short = createIdentityVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, maxLifetimeSec: 30 });
    await assert.rejects(short.verify(await signed({ ttl: 31 }), { method: 'GET', url: target }), { code: 'expired' });
  });

  test('alg none with an empty signature segment is refused by name', async () => {
    const good = await signed();
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const [, payload] = good['x-stellaops-identity'].split('.');
    await refused({ ...good, 'x-stellaops-identity': `${b64({ alg: 'none', kid: issuer.current.kid, typ: 'identity+jwt' })}.${payload}.` }, 'algorithm_not_allowed');
    await refused({ ...good, 'x-stellaops-identity': `${b64({ alg: 'EdDSA', kid: issuer.current.kid, typ: 'identity+jwt' })}.${payload}.` }, 'bad_signature');
  });

  test('a renamed tenant claim (the deployment profile’s selectedTenantClaim)', async () => {
    const renamed = createIdentityVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, tenantClaim: 'acme:tenant' });
    const headers = await signed({ claims: { 'stellaops:tenant': undefined, 'acme:tenant': 'tenant-bravo' }, tenant: 'tenant-bravo' });
    assert.equal((await renamed.verify(headers, { method: 'GET', url: target })).tenant, 'tenant-bravo');
    await assert.rejects(verifier.verify(headers, { method: 'GET', url: target }), { code: 'invalid_tenant' });
  });

  test('checkAssertion: public-route assertions only with allowAnonymous; the three tenant header rules', async () => {
    const policy: AssertionPolicy = { keys: remoteKeySet(issuer.jwksUrl), issuer: issuer.issuer, audience: issuer.audience };
    const input = (assertion: string, tenantHeader: string[]) => ({ assertions: [assertion], tenantHeader, method: 'GET', url: target });
    const code = (p: Promise<unknown>) => p.then(() => 'accepted', (err: IdentityError) => err.code);

    const anonymous = await issuer.sign({ method: 'GET', target, claims: { 'stellaops:tenant': undefined, client_id: undefined, sub: 'anonymous', scope: '' } });
    assert.equal(await code(checkAssertion(input(anonymous, []), policy)), 'invalid_tenant');
    const open = await checkAssertion(input(anonymous, []), { ...policy, allowAnonymous: true });
    assert.deepEqual([open.tenant, open.clientId, open.subject, open.scopes], [null, null, 'anonymous', []]);
    assert.equal(await code(checkAssertion(input(anonymous, ['tenant-alpha']), { ...policy, allowAnonymous: true })), 'tenant_mismatch');

    const alpha = await issuer.sign({ method: 'GET', target });
    const exact = { ...policy, tenantHeaderMatch: 'exact' as const };
    const normalized = { ...policy, tenantHeaderMatch: 'normalized' as const };
    const caller = { ...policy, tenantHeaderMatch: 'caller' as const };
    for (const [header, exactly, normally] of [
      [['tenant-alpha'], 'accepted', 'accepted'],
      [[' TENANT-ALPHA '], 'tenant_mismatch', 'accepted'],
      [['tenant-alpha', 'tenant-alpha'], 'tenant_mismatch', 'accepted'],
      [['tenant-alpha, tenant-bravo'], 'tenant_mismatch', 'tenant_mismatch'],
      [['tenant-bravo'], 'tenant_mismatch', 'tenant_mismatch'],
      [[], 'tenant_mismatch', 'tenant_mismatch'],
    ] as const) {
      assert.equal(await code(checkAssertion(input(alpha, [...header]), exact)), exactly, `exact ${JSON.stringify(header)}`);
      assert.equal(await code(checkAssertion(input(alpha, [...header]), normalized)), normally, `normalized ${JSON.stringify(header)}`);
      assert.equal(await code(checkAssertion(input(alpha, [...header]), caller)), 'accepted', `caller ${JSON.stringify(header)}`);
    }
  });

  test('checkAssertion takes the clock as an input', async () => {
    const policy: AssertionPolicy = { keys: remoteKeySet(issuer.jwksUrl), issuer: issuer.issuer, audience: issuer.audience };
    const assertion = await issuer.sign({ method: 'GET', target });
    const at = (offsetSec: number) => checkAssertion({ assertions: [assertion], tenantHeader: ['tenant-alpha'], method: 'GET', url: target, now: new Date(Date.now() + offsetSec * 1000) }, policy);
    assert.equal((await at(0)).tenant, 'tenant-alpha');
    await assert.rejects(at(60), { code: 'expired' });
    await assert.rejects(at(-60), { code: 'not_yet_valid' });
  });

  test('configurable header names', async () => {
    const custom = createIdentityVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, identityHeader: 'X-Identity', tenantHeader: 'X-Tenant' });
    const good = await signed();
    const identity = await custom.verify({ 'X-Identity': good['x-stellaops-identity'], 'X-Tenant': 'tenant-alpha' }, { method: 'GET', url: target });
    assert.equal(identity.tenant, 'tenant-alpha');
    await assert.rejects(custom.verify(good, { method: 'GET', url: target }), { code: 'missing_assertion' });
  });

  test('key_set_unavailable (503) when the key set cannot be fetched', async () => {
    const broken = createServer((_req, res) => res.writeHead(500).end('no'));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = broken.address() as AddressInfo;
      const unreachable = createIdentityVerifier({ jwksUrl: `http://127.0.0.1:${port}/.well-known/identity-jwks.json`, issuer: issuer.issuer, audience: issuer.audience });
      await assert.rejects(unreachable.verify(await signed(), { method: 'GET', url: target }), (err: unknown) => err instanceof IdentityError && err.code === 'key_set_unavailable' && err.status === 503);
    } finally {
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });
});
