/**
 * Assertion reuse (gateway.identityAssertionReuse): within one second an identical request
 * — identity, audience, method, target — gets the assertion already signed, and nothing
 * else does; a new second or a rotated key signs afresh; with reuse off every call signs.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { IdentityAssertionSigner, type IdentitySigningKey } from '../../src/identity/sign-assertion.ts';

const alice = Object.freeze({ tenant: 'tenant-alpha', actor: 'alice', client: 'console', scopes: Object.freeze(['platform:read']) });
const aliceBravo = Object.freeze({ ...alice, tenant: 'tenant-bravo' });
const key = (kid: string): IdentitySigningKey => ({ kid, algorithm: 'EdDSA', privateKey: generateKeyPairSync('ed25519').privateKey });
const request = { audience: 'platform', method: 'GET', target: '/api/v1/platform/context?x=1' };

function signerAt(clock: { ms: number }, reuseWithinSecond: boolean) {
  return new IdentityAssertionSigner(key('id-1'), { issuer: 'https://gw', ttlSeconds: 30, tenantClaim: 'stellaops:tenant', now: () => clock.ms, reuseWithinSecond });
}

describe('identity assertion reuse', () => {
  it('gives an identical request within the same second the same assertion', () => {
    const clock = { ms: Date.UTC(2026, 11, 7, 12, 0, 0, 100) };
    const signer = signerAt(clock, true);
    const first = signer.sign(alice, request);
    clock.ms += 850;
    assert.equal(signer.sign(alice, { ...request }), first);
  });

  it('signs afresh for another target, method, audience or identity', () => {
    const clock = { ms: Date.UTC(2026, 11, 7, 12, 0, 0, 100) };
    const signer = signerAt(clock, true);
    const first = signer.sign(alice, request);
    const others = [
      signer.sign(alice, { ...request, target: '/api/v1/platform/context?x=2' }),
      signer.sign(alice, { ...request, method: 'POST' }),
      signer.sign(alice, { ...request, audience: 'scanner' }),
      signer.sign(aliceBravo, request),
    ];
    const jtis = new Set([first, ...others].map((a) => decodeJwt(a).jti));
    assert.equal(jtis.size, 5);
    assert.equal(decodeJwt(others[0]).htu, '/api/v1/platform/context?x=2');
    assert.equal(decodeJwt(others[1]).htm, 'POST');
    assert.equal(decodeJwt(others[2]).aud, 'scanner');
    assert.equal(decodeJwt(others[3])['stellaops:tenant'], 'tenant-bravo');
  });

  it('signs afresh in the next second, with that second as iat', () => {
    const clock = { ms: Date.UTC(2026, 11, 7, 12, 0, 0, 900) };
    const signer = signerAt(clock, true);
    const first = signer.sign(alice, request);
    clock.ms += 200;
    const next = signer.sign(alice, request);
    assert.notEqual(next, first);
    assert.equal(decodeJwt(next).iat, decodeJwt(first).iat! + 1);
  });

  it('signs afresh with a rotated key', () => {
    const clock = { ms: Date.UTC(2026, 11, 7, 12) };
    const signer = signerAt(clock, true);
    const first = signer.sign(alice, request);
    signer.use(key('id-2'));
    const rotated = signer.sign(alice, request);
    assert.notEqual(rotated, first);
    assert.equal(decodeProtectedHeader(rotated).kid, 'id-2');
  });

  it('with reuse off, signs every request', () => {
    const clock = { ms: Date.UTC(2026, 11, 7, 12) };
    const signer = signerAt(clock, false);
    assert.notEqual(decodeJwt(signer.sign(alice, request)).jti, decodeJwt(signer.sign(alice, request)).jti);
  });
});
