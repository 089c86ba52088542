/**
 * @tenantgate/verify's key cache: a key the gateway adds is picked up by one refetch; a kid
 * nobody published is refused, and a flood of them costs the gateway one fetch per cooldown.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { createIdentityVerifier } from '../../packages/verify/src/index.ts';
import { makeKey, startLocalIssuer, type LocalIssuer } from './support/local-issuer.ts';

const target = '/api/v1/things';
// Long enough that a loaded machine finishes each flood within it; everything is signed beforehand.
const cooldownMs = 1_500;
let issuer: LocalIssuer;

before(async () => {
  issuer = await startLocalIssuer();
});
after(() => issuer.close());

test('a rotated-in key is accepted after one refetch; the previous key keeps verifying', async () => {
  const verifier = createIdentityVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, cooldownMs });
  const old = issuer.current;
  await verifier.verify(await issuer.headers({ method: 'GET', target }), { method: 'GET', url: target });
  assert.equal(issuer.fetches(), 1);

  const next = await makeKey('identity-2');
  issuer.published = [old, next];
  await sleep(cooldownMs + 50);
  const identity = await verifier.verify(await issuer.headers({ method: 'GET', target, key: next }), { method: 'GET', url: target });
  assert.equal(identity.tenant, 'tenant-alpha');
  assert.equal(issuer.fetches(), 2, 'exactly one refetch for the new kid');

  // Both keys are cached now: neither costs a fetch.
  for (const key of [old, next, old]) await verifier.verify(await issuer.headers({ method: 'GET', target, key }), { method: 'GET', url: target });
  assert.equal(issuer.fetches(), 2);
});

test('unknown kids are refused, and refetches for them are rate-limited by the cooldown', async () => {
  const verifier = createIdentityVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, cooldownMs });
  const strangers = await Promise.all(Array.from({ length: 5 }, (_, i) => makeKey(`made-up-${i}`)));
  const floodHeaders = await Promise.all(Array.from({ length: 100 }, (_, i) => issuer.headers({ method: 'GET', target, key: strangers[i % 5] })));
  const good = await Promise.all(Array.from({ length: 2 }, () => issuer.headers({ method: 'GET', target })));
  const flood = (headers: Record<string, string>[]) =>
    Promise.all(headers.map((h) => verifier.verify(h, { method: 'GET', url: target }).then(() => 'accepted', (err: { code?: string }) => err.code)));

  await verifier.verify(good[0], { method: 'GET', url: target });
  const start = issuer.fetches();
  assert.deepEqual(new Set(await flood(floodHeaders.slice(0, 50))), new Set(['unknown_key']));
  assert.equal(issuer.fetches() - start, 0, 'within the cooldown of the last fetch: no refetch at all');

  await sleep(cooldownMs + 100);
  assert.deepEqual(new Set(await flood(floodHeaders.slice(50))), new Set(['unknown_key']));
  assert.equal(issuer.fetches() - start, 1, 'after the cooldown: one refetch for the whole flood');

  // The good key is still served from the cache meanwhile.
  await verifier.verify(good[1], { method: 'GET', url: target });
  assert.equal(issuer.fetches() - start, 1);
});
