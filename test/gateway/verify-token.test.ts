/** Token verification rules (CONTRACT.md §5) and the verified-token cache bounds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet, SignJWT } from 'jose';
import { validateConfig } from '../../src/config/load.ts';
import type { JwksCache } from '../../src/gateway/jwks-cache.ts';
import { TokenVerifier } from '../../src/gateway/verify-token.ts';
import { createMinter } from './support/harness.ts';

const config = validateConfig({ server: { basePort: 18080 }, demo: { seed: false } });

async function setup(cacheSize = 100) {
  const minter = await createMinter(config);
  let now = Date.now();
  const resolver = createLocalJWKSet(minter.jwks());
  const keys = { getKey: resolver } as unknown as JwksCache;
  const verifier = new TokenVerifier({ keys, issuer: 'http://127.0.0.1:18080', audience: 'tenantgate', clockSkewSeconds: 30, cacheSize, profile: config.profile, now: () => now });
  return { minter, verifier, advance: (ms: number) => (now += ms), now: () => now };
}

describe('TokenVerifier', () => {
  it('a cached token never outlives exp (+ the bounded skew)', async () => {
    const { minter, verifier, advance } = await setup();
    const token = await minter.mint({ expiresIn: 60 });
    assert.equal((await verifier.verify(token)).ok, true);
    assert.equal(verifier.cachedTokens, 1);
    advance(61_000);
    // Past exp but inside the skew: verified again from scratch, and not cached.
    assert.equal((await verifier.verify(token)).ok, true);
    assert.equal(verifier.cachedTokens, 0);
    advance(30_000);
    const late = await verifier.verify(token);
    assert.equal(late.ok, false);
    assert.equal(!late.ok && late.reason, 'ERR_JWT_EXPIRED');
  });

  it('the cache is bounded', async () => {
    const { minter, verifier } = await setup(2);
    for (let i = 0; i < 5; i++) assert.equal((await verifier.verify(await minter.mint())).ok, true);
    assert.equal(verifier.cachedTokens, 2);
  });

  it('tenant claim rules and identity', async () => {
    const { minter, verifier } = await setup();
    const ok = await verifier.verify(await minter.mint({ claims: { 'stellaops:tenant': 'tenant-alpha' } }));
    assert.ok(ok.ok);
    assert.ok(ok.ok);
    const { tokenId, issuedAtMs, ...rest } = ok.identity;
    assert.equal(typeof tokenId, 'string');
    assert.equal(typeof issuedAtMs, 'number');
    assert.deepEqual(rest, {
      subject: 'scanner-bot',
      clientId: 'scanner-bot',
      tenant: 'tenant-alpha',
      legacyTenant: null,
      allowedTenants: ['tenant-alpha', 'tenant-bravo'],
      scopes: ['platform:read', 'platform:write', 'scanner:read', 'scanner:write', 'graph:read', 'graph:query', 'graph:write'],
    });
    const reasons: Record<string, Record<string, unknown>> = {
      tenant_claim_malformed: { 'stellaops:tenant': 'tenant-alpha,tenant-bravo' },
      tenant_out_of_assignment: { 'stellaops:allowed_tenants': ['tenant-bravo'] },
      allowed_tenants_malformed: { 'stellaops:allowed_tenants': 'tenant-alpha bad/one' },
      client_id_missing: { client_id: 7 },
      // The shared CONTRACT.md §5 rule (src/identity/access-token-claims.ts): a tenant claim is
      // never repaired, and a token without jti is not one the Authority issued.
      tenant_claim_malformed_unnormalized: { 'stellaops:tenant': ' Tenant-Alpha ' },
      jti_missing: { jti: '' },
    };
    for (const [reason, claims] of Object.entries(reasons)) {
      const r = await verifier.verify(await minter.mint({ claims }));
      assert.equal(!r.ok && r.reason, reason.replace(/_unnormalized$/, ''), reason);
    }
    const tid = await verifier.verify(await minter.mint({ omit: ['stellaops:tenant'], claims: { tid: 'tenant-alpha' } }));
    const badTid = await verifier.verify(await minter.mint({ omit: ['stellaops:tenant'], claims: { tid: 'TENANT-ALPHA' } }));
    assert.equal(!badTid.ok && badTid.reason, 'tid_claim_malformed');
    assert.ok(tid.ok && tid.identity.tenant === null && tid.identity.legacyTenant === 'tenant-alpha');
  });

  it('refuses alg none, HMAC and a wrong typ', async () => {
    const { verifier } = await setup();
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'http://127.0.0.1:18080', aud: 'tenantgate', sub: 'x', client_id: 'x', iat: now, exp: now + 60, 'stellaops:tenant': 'tenant-alpha' };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${body}.`;
    assert.equal((await verifier.verify(none)).ok, false);
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new TextEncoder().encode('k'.repeat(32)));
    const r = await verifier.verify(hmac);
    assert.equal(!r.ok && r.reason, 'ERR_JOSE_ALG_NOT_ALLOWED');
  });
});
