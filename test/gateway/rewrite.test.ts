/** Downstream identities: interned by content, so their headers are derived once; the assertion is signed per request. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { validateConfig } from '../../src/config/load.ts';
import type { TokenIdentity } from '../../src/gateway/decide.ts';
import { IdentityAssertionSigner } from '../../src/identity/sign-assertion.ts';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { compileHeaderCatalogue } from '../../src/gateway/header-catalogue.ts';
import { Rewriter } from '../../src/gateway/rewrite.ts';

const config = validateConfig({ server: { basePort: 18080 }, demo: { seed: false } });

function setup() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = new IdentityAssertionSigner({ kid: 'id-test', algorithm: 'EdDSA', privateKey }, { issuer: 'http://127.0.0.1:18080', ttlSeconds: 30, tenantClaim: 'stellaops:tenant', now: () => Date.UTC(2026, 10, 27, 12) });
  return { rewriter: new Rewriter(compileHeaderCatalogue(config.profile), signer), signer };
}

/** A fresh object each time, as the verifier returns with its token cache off. */
const verified = (subject = 'scanner-bot'): TokenIdentity => ({
  subject,
  clientId: 'scanner-bot',
  tenant: 'tenant-alpha',
  legacyTenant: null,
  allowedTenants: ['tenant-alpha', 'tenant-bravo'],
  scopes: ['platform:read', 'scanner:read'],
});

describe('Rewriter', () => {
  it('gives separately verified tokens with the same identity one identity object, and each request its own assertion', () => {
    const { rewriter } = setup();
    const first = verified();
    const a = rewriter.identityFor(first, 'tenant-alpha', first.scopes);
    const b = rewriter.identityFor(verified(), 'tenant-alpha', ['platform:read', 'scanner:read']);
    assert.equal(a, b);
    const request = (identity: typeof a) =>
      rewriter.headers({ headers: { host: 'upstream' }, identity, emitLegacy: false, forwardAuthorization: false, method: 'get', target: '/api/v1/platform/context?x=1', audience: 'platform' });
    const one = request(a)['X-StellaOps-Identity'] as string;
    const second = request(b)['X-StellaOps-Identity'] as string;
    assert.deepEqual(decodeProtectedHeader(one), { alg: 'EdDSA', kid: 'id-test', typ: 'identity+jwt' });
    const claims = decodeJwt(one);
    assert.deepEqual(Object.keys(claims), ['iss', 'aud', 'iat', 'exp', 'jti', 'htm', 'htu', 'stellaops:tenant', 'sub', 'client_id', 'scope']);
    assert.deepEqual({ ...claims, jti: undefined }, {
      iss: 'http://127.0.0.1:18080',
      aud: 'platform',
      iat: Date.UTC(2026, 10, 27, 12) / 1000,
      exp: Date.UTC(2026, 10, 27, 12) / 1000 + 30,
      jti: undefined,
      htm: 'GET',
      htu: '/api/v1/platform/context?x=1',
      'stellaops:tenant': 'tenant-alpha',
      sub: 'scanner-bot',
      client_id: 'scanner-bot',
      scope: 'platform:read scanner:read',
    });
    // One assertion per request: a jti is never reused.
    assert.notEqual(decodeJwt(second).jti, claims.jti);
  });

  it('keeps identities apart by subject, tenant and scopes', () => {
    const { rewriter } = setup();
    const token = verified();
    const base = rewriter.identityFor(token, 'tenant-alpha', token.scopes);
    assert.notEqual(rewriter.identityFor(verified('other-user'), 'tenant-alpha', token.scopes), base);
    assert.notEqual(rewriter.identityFor(token, 'tenant-bravo', token.scopes), base);
    const narrowed = rewriter.identityFor(token, 'tenant-alpha', ['platform:read']);
    assert.notEqual(narrowed, base);
    assert.deepEqual(narrowed, { tenant: 'tenant-alpha', actor: 'scanner-bot', client: 'scanner-bot', scopes: ['platform:read'] });
  });

  it('writes the identity headers, and the legacy tenant headers only when asked', () => {
    const { rewriter } = setup();
    const token = verified();
    const identity = rewriter.identityFor(token, 'tenant-alpha', token.scopes);
    const input = { headers: { host: 'upstream', 'x-tenant-id': 'evil', authorization: 'Bearer x' }, identity, forwardAuthorization: false, method: 'GET', target: '/p', audience: 'platform' };
    const plain = rewriter.headers({ ...input, emitLegacy: false });
    assert.equal(plain['X-StellaOps-Tenant'], 'tenant-alpha');
    assert.equal(plain['X-StellaOps-Scopes'], 'platform:read scanner:read');
    assert.equal(plain['x-tenant-id'], undefined);
    assert.equal(plain.authorization, undefined);
    assert.equal(plain['X-Tenant-Id'], undefined);
    const legacy = rewriter.headers({ ...input, emitLegacy: true });
    assert.equal(legacy['X-Tenant-Id'], 'tenant-alpha');
    assert.equal(legacy['X-Stella-Tenant'], 'tenant-alpha');
  });
  it("passes the client's trace-context headers through, unless tracing is on and the gateway writes its own", () => {
    const { signer } = setup();
    const catalogue = compileHeaderCatalogue(config.profile);
    const traceHeaders = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=x' };
    const input = { headers: { host: 'upstream', ...traceHeaders }, emitLegacy: false, forwardAuthorization: false, method: 'GET', target: '/p', audience: 'platform' };
    const off = new Rewriter(catalogue, signer);
    const forwarded = off.headers({ ...input, identity: off.anonymous });
    assert.equal(forwarded.traceparent, traceHeaders.traceparent);
    assert.equal(forwarded.tracestate, traceHeaders.tracestate);
    const on = new Rewriter(catalogue, signer, { dropTraceContext: true });
    const rewritten = on.headers({ ...input, identity: on.anonymous });
    assert.equal(rewritten.traceparent, undefined);
    assert.equal(rewritten.tracestate, undefined);
    assert.equal(rewritten.host, 'upstream');
  });
});
