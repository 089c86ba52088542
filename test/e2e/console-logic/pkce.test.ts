import assert from 'node:assert/strict';
import { test } from 'node:test';
import { challengeFor, createRandomToken } from '../../../web/src/auth/pkce.ts';

test('S256 challenge matches the RFC 7636 appendix B example', async () => {
  assert.equal(await challengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('verifiers are 43 unreserved characters and differ each time', () => {
  const a = createRandomToken();
  const b = createRandomToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
});
