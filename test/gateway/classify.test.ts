/** Header classification from the raw header list (GATEWAY.md §1). Pure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultProfile } from '../../src/contract/profile.ts';
import { classifyHeaders } from '../../src/gateway/classify.ts';
import { compileHeaderCatalogue, equivalenceKey, isVariantName } from '../../src/gateway/header-catalogue.ts';
import { isCanonicalPath } from '../../src/gateway/routes.ts';

const catalogue = compileHeaderCatalogue(defaultProfile);
const classify = (...pairs: [string, string][]) => classifyHeaders(pairs.flat(), catalogue);

describe('header catalogue', () => {
  it('equivalence: ASCII case, underscore and dot', () => {
    assert.equal(equivalenceKey('X_StellaOps.Tenant'), 'x-stellaops-tenant');
    assert.equal(equivalenceKey('accept'), 'accept');
  });
  it('every catalogue group is reserved, in any spelling', () => {
    for (const name of ['X-StellaOps-Tenant', 'x_stella_tenant', 'X.Tenant.Id', 'X-Scopes', 'x-stellaops-identity-envelope-algorithm', 'TID', 'cnf_jkt', 'X-StellaOps-Anything', 'x.stella.region', 'Authorization', 'DPoP']) {
      assert.notEqual(catalogue.lookup(name), null, name);
    }
    for (const name of ['Accept', 'X-Tenantish', 'X-Stellar', 'subject', 'X-Request-Id']) assert.equal(catalogue.lookup(name), null, name);
  });
  it('variants are equivalent but differently spelled names; case alone is not a variant', () => {
    const entry = catalogue.lookup('X-StellaOps-Tenant')!;
    assert.equal(isVariantName('x-stellaops-tenant', entry), false);
    assert.equal(isVariantName('X_StellaOps_Tenant', entry), true);
    assert.equal(isVariantName('x.stellaops.tenant', entry), true);
  });
});

describe('classifyHeaders', () => {
  it('collects requested tenants with their source', () => {
    const c = classify(['X-StellaOps-Tenant', 'Tenant-Alpha'], ['X-Tenant-Id', 'tenant-alpha'], ['x_stellaops_tenant', 'tenant-bravo']);
    assert.deepEqual(
      c.requested.map((r) => [r.value, r.source, r.header]),
      [
        ['tenant-alpha', 'canonical', 'X-StellaOps-Tenant'],
        ['tenant-alpha', 'legacy', 'X-Tenant-Id'],
        ['tenant-bravo', 'variant', 'X-StellaOps-Tenant'],
      ],
    );
    assert.deepEqual(c.stripped.map((s) => s.kind), ['canonical', 'legacy', 'variant']);
  });
  it('splits joined values and flags malformed ones', () => {
    assert.deepEqual(classify(['X-StellaOps-Tenant', 'a, b;c d']).requested.map((r) => r.value), ['a', 'b', 'c', 'd']);
    assert.deepEqual(classify(['X-StellaOps-Tenant', 'tenant-\u00e4']).invalidTenantHeaders, ['X-StellaOps-Tenant']);
    assert.deepEqual(classify(['X-Tenant-Id', '']).invalidTenantHeaders, ['X-Tenant-Id']);
    assert.deepEqual(classify(['X-Tenant-Id', 'ok\u0000']).invalidTenantHeaders, ['X-Tenant-Id']);
  });
  it('Connection naming reserved names in any spelling', () => {
    assert.deepEqual(classify(['Connection', 'keep-alive, X_Tenant_Id , x.stellaops.actor']).hopByHop, ['X_Tenant_Id', 'x.stellaops.actor']);
    assert.deepEqual(classify(['connection', 'keep-alive, Upgrade']).hopByHop, []);
  });
  it('scope overrides, envelopes, raw claims and credentials', () => {
    const c = classify(['X-Scopes', 'a b'], ['x_stella_scopes', 'c'], ['X-StellaOps-Identity', 'e'], ['cnf.jkt', 'k'], ['Authorization', 'Bearer t'], ['Authorization', 'Bearer u']);
    assert.deepEqual(c.scopeOverride, ['a', 'b', 'c']);
    assert.equal(c.forgedEnvelope, true);
    assert.ok(c.stripped.some((s) => s.header === 'cnf.jkt' && s.kind === 'raw_claim'));
    assert.deepEqual(c.authorization, ['Bearer t', 'Bearer u']);
  });
  it('a clean request classifies to nothing', () => {
    const c = classify(['Accept', 'application/json'], ['Authorization', 'Bearer t']);
    assert.deepEqual([c.requested, c.stripped, c.hopByHop, c.scopeOverride, c.forgedEnvelope], [[], [], [], null, false]);
  });
});

describe('canonical paths', () => {
  it('refuses dot segments, encoded separators and backslashes', () => {
    for (const p of ['/a/../b', '/a/./b', '/a/%2e%2e/b', '/a/%2F/b', '/a\\b', '//a', '/a/%5c', '/%E0%A4%A']) assert.equal(isCanonicalPath(p), false, p);
    for (const p of ['/api/v1/platform/context', '/a/...', '/a/b.c/d', '/a/%20b']) assert.equal(isCanonicalPath(p), true, p);
  });
});
