/** Envelope reuse on the hot path: same second only, bounded, and every reused envelope still verifies. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyEnvelope, type EnvelopeIdentity } from '../../src/identity/envelope.ts';
import { EnvelopeSigner } from '../../src/gateway/envelope-signer.ts';

function setup(maxEntries = 10_000) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  let now = Date.UTC(2026, 10, 27, 12, 0, 0, 100);
  const signer = new EnvelopeSigner({ kid: 'env-test', privateKey }, 30, () => now, maxEntries);
  const verify = (e: { envelope: string; signature: string; algorithm: string }, method: string, path: string) =>
    verifyEnvelope({ ...e, method, path }, async (kid) => (kid === 'env-test' ? publicKey : null), new Date(now));
  return { signer, verify, advance: (ms: number) => (now += ms) };
}

const alice: EnvelopeIdentity = Object.freeze({ tenant: 'tenant-alpha', actor: 'alice', client: 'console', scopes: ['platform:read'] });
const bob: EnvelopeIdentity = Object.freeze({ tenant: 'tenant-alpha', actor: 'bob', client: 'console', scopes: ['platform:read'] });

describe('EnvelopeSigner', () => {
  it('reuses an envelope for the same identity, method and target within one second only', async () => {
    const { signer, verify, advance } = setup();
    const first = signer.sign(alice, 'GET', '/api/v1/platform/context');
    assert.equal(signer.sign(alice, 'GET', '/api/v1/platform/context'), first);
    assert.notEqual(signer.sign(alice, 'POST', '/api/v1/platform/context'), first);
    assert.notEqual(signer.sign(alice, 'GET', '/api/v1/platform/context?x=1'), first);
    assert.notEqual(signer.sign(bob, 'GET', '/api/v1/platform/context'), first);
    advance(1_000);
    const next = signer.sign(alice, 'GET', '/api/v1/platform/context');
    assert.notEqual(next, first);
    const claims = await verify(next, 'GET', '/api/v1/platform/context');
    assert.ok(claims.ok);
    assert.equal(claims.ok && claims.claims.actor, 'alice');
    assert.equal(claims.ok && claims.claims.iat, Math.floor(Date.UTC(2026, 10, 27, 12, 0, 1) / 1000));
  });

  it('a reused envelope stays bound to its own method and target', async () => {
    const { signer, verify } = setup();
    const e = signer.sign(alice, 'GET', '/api/v1/scans/scan-0001');
    assert.equal(signer.sign(alice, 'GET', '/api/v1/scans/scan-0001'), e);
    assert.equal((await verify(e, 'GET', '/api/v1/scans/scan-0001')).ok, true);
    assert.deepEqual(await verify(e, 'GET', '/api/v1/scans/scan-0002'), { ok: false, reason: 'path' });
    assert.deepEqual(await verify(e, 'DELETE', '/api/v1/scans/scan-0001'), { ok: false, reason: 'method' });
  });

  it('keeps at most maxEntries envelopes, all from the current second', () => {
    const { signer, advance } = setup(3);
    for (let i = 0; i < 5; i++) signer.sign(i % 2 ? alice : bob, 'GET', `/api/v1/scans/scan-${i}`);
    assert.equal(signer.cachedEnvelopes, 3);
    // Past the bound an envelope is still signed, just not kept.
    const uncached = signer.sign(alice, 'GET', '/api/v1/scans/scan-9');
    assert.notEqual(signer.sign(alice, 'GET', '/api/v1/scans/scan-9'), uncached);
    advance(1_000);
    signer.sign(alice, 'GET', '/api/v1/scans/scan-0');
    assert.equal(signer.cachedEnvelopes, 1);
  });
});
