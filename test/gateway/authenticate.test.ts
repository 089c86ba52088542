/** The pipeline's authentication stage: bearer parsing and the per-connection memory of a verified token. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet } from 'jose';
import { validateConfig } from '../../src/config/load.ts';
import { Authenticator, type Authentication } from '../../src/gateway/authenticate.ts';
import type { JwksCache } from '../../src/gateway/jwks-cache.ts';
import { TokenVerifier } from '../../src/gateway/verify-token.ts';
import { createMinter } from './support/harness.ts';

const config = validateConfig({ server: { basePort: 18080 }, demo: { seed: false } });

async function setup(cacheSize = 100) {
  const minter = await createMinter(config);
  let now = Date.now();
  const keys = { getKey: createLocalJWKSet(minter.jwks()) } as unknown as JwksCache;
  const verifier = new TokenVerifier({ keys, issuer: 'http://127.0.0.1:18080', audience: 'tenantgate', clockSkewSeconds: 0, cacheSize, profile: config.profile, now: () => now });
  let verifications = 0;
  const counting = Object.create(verifier) as TokenVerifier;
  counting.verify = (token: string) => {
    verifications++;
    return verifier.verify(token);
  };
  const auth = new Authenticator(counting, () => now);
  /** Runs the stage the way the gateway does: quick answer, else verify. */
  const authenticate = async (headers: string[], connection: object): Promise<Authentication & { waited: boolean }> => {
    const quick = auth.quick(headers, connection);
    if (typeof quick !== 'string') return { ...quick, waited: false };
    return { ...(await auth.verify(quick, headers[0], connection)), waited: true };
  };
  return { minter, authenticate, advance: (ms: number) => (now += ms), verifications: () => verifications };
}

describe('Authenticator', () => {
  it('answers a repeated Authorization value on one connection without verifying again', async () => {
    const { minter, authenticate, verifications } = await setup();
    const token = await minter.mint({ expiresIn: 600 });
    const connection = {};
    const first = await authenticate([`Bearer ${token}`], connection);
    assert.equal(first.waited, true);
    assert.equal(first.token?.tenant, 'tenant-alpha');
    const again = await authenticate([`Bearer ${token}`], connection);
    assert.equal(again.waited, false);
    assert.deepEqual(again.token, first.token);
    assert.equal(verifications(), 1);
  });

  it('with the token cache off (size 0), every request is verified in full', async () => {
    const { minter, authenticate, verifications } = await setup(0);
    const token = await minter.mint({ expiresIn: 600 });
    const connection = {};
    for (let i = 0; i < 3; i++) assert.equal((await authenticate([`Bearer ${token}`], connection)).waited, true);
    assert.equal(verifications(), 3);
  });

  it('a different token on the same connection gets its own identity', async () => {
    const { minter, authenticate } = await setup();
    const alpha = await minter.mint({ expiresIn: 600 });
    const bravo = await minter.mint({ expiresIn: 600, claims: { 'stellaops:tenant': 'tenant-bravo', sub: 'other-user' } });
    const connection = {};
    assert.equal((await authenticate([`Bearer ${alpha}`], connection)).token?.tenant, 'tenant-alpha');
    const b = await authenticate([`Bearer ${bravo}`], connection);
    assert.equal(b.token?.tenant, 'tenant-bravo');
    assert.equal(b.token?.subject, 'other-user');
    assert.equal((await authenticate([`Bearer ${alpha}`], connection)).token?.tenant, 'tenant-alpha');
  });

  it('the memory never outlives the token: after exp the token is verified again and refused', async () => {
    const { minter, authenticate, advance } = await setup();
    const token = await minter.mint({ expiresIn: 60 });
    const connection = {};
    assert.ok((await authenticate([`Bearer ${token}`], connection)).token);
    advance(61_000);
    const late = await authenticate([`Bearer ${token}`], connection);
    assert.equal(late.waited, true);
    assert.equal(late.token, null);
    assert.match(late.reason, /token rejected/);
  });

  it('a rejected token is never remembered, and a forged one never rides on a good one', async () => {
    const { minter, authenticate } = await setup();
    const good = await minter.mint({ expiresIn: 600 });
    const connection = {};
    await authenticate([`Bearer ${good}`], connection);
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${'A'.repeat(86)}`;
    for (let i = 0; i < 2; i++) {
      const r = await authenticate([`Bearer ${forged}`], connection);
      assert.equal(r.token, null);
      assert.equal(r.waited, true);
    }
  });

  it('no, two, or non-bearer credentials authenticate nobody, whatever the connection remembers', async () => {
    const { minter, authenticate } = await setup();
    const token = await minter.mint({ expiresIn: 600 });
    const connection = {};
    await authenticate([`Bearer ${token}`], connection);
    assert.deepEqual(await authenticate([], connection), { token: null, reason: 'no bearer token', waited: false });
    assert.equal((await authenticate([`Bearer ${token}`, `Bearer ${token}`], connection)).reason, 'more than one Authorization header');
    assert.equal((await authenticate([`Basic ${token}`], connection)).reason, 'Authorization is not a bearer token');
    assert.equal((await authenticate([`Bearer ${token}\t`], connection)).reason, 'Authorization is not a bearer token');
  });
});
