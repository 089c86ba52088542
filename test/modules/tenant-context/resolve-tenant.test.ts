import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultProfile } from '../../../src/contract/profile.ts';
import { normalizeTenantId } from '../../../src/contract/tenant.ts';
import { decodeCursor, encodeCursor, pageLimit, toPage } from '../../../src/modules/pagination.ts';
import { isLoopback } from '../../../src/modules/tenant-context/authenticate-request.ts';
import { resolveTenantFromHeaders } from '../../../src/modules/tenant-context/resolve-tenant.ts';
import { tenantConflictCode } from '../../../src/contract/errors.ts';

const canonical = defaultProfile.canonicalTenantHeader.toLowerCase();
const [aliasA, aliasB] = defaultProfile.legacyTenantHeaders.map((h) => h.toLowerCase());
const tenantArb = fc.stringMatching(/^[a-z0-9][a-z0-9._:-]{0,20}$/);

describe('resolveTenantFromHeaders (pure)', () => {
  it('no header → tenant null; canonical header → its normalized value', () => {
    assert.deepEqual(resolveTenantFromHeaders({}, defaultProfile, true), { ok: true, tenant: null, aliasesRead: [] });
    assert.deepEqual(resolveTenantFromHeaders({ [canonical]: '  Tenant-Alpha ' }, defaultProfile, true), { ok: true, tenant: 'tenant-alpha', aliasesRead: [] });
  });

  it('aliases are read only when accepted, and reported for counting', () => {
    const headers = { [aliasA]: 'tenant-alpha' };
    assert.deepEqual(resolveTenantFromHeaders(headers, defaultProfile, true), { ok: true, tenant: 'tenant-alpha', aliasesRead: [defaultProfile.legacyTenantHeaders[0]] });
    assert.deepEqual(resolveTenantFromHeaders(headers, defaultProfile, false), { ok: true, tenant: null, aliasesRead: [] });
    const disagree = { [canonical]: 'tenant-alpha', [aliasB]: 'tenant-bravo' };
    assert.equal(resolveTenantFromHeaders(disagree, defaultProfile, true).ok, false);
    assert.deepEqual(resolveTenantFromHeaders(disagree, defaultProfile, false), { ok: true, tenant: 'tenant-alpha', aliasesRead: [] });
  });

  it('property: ok with one tenant iff all values normalize to the same id; conflict iff two differ', () => {
    fc.assert(
      fc.property(fc.array(tenantArb, { minLength: 1, maxLength: 4 }), fc.array(tenantArb, { maxLength: 2 }), fc.boolean(), (canon, alias, accept) => {
        const headers = { [canonical]: canon.length === 1 ? canon[0] : canon, ...(alias.length ? { [aliasA]: alias.join(', ') } : {}) };
        const values = new Set([...canon, ...(accept ? alias : [])].map((v) => normalizeTenantId(v)));
        const r = resolveTenantFromHeaders(headers, defaultProfile, accept);
        if (values.size === 1) assert.deepEqual(r.ok && r.tenant, [...values][0]);
        else assert.deepEqual(!r.ok && r.reason, 'conflict');
      }),
    );
  });

  it('a malformed value anywhere is invalid, never ignored', () => {
    const r = resolveTenantFromHeaders({ [canonical]: ['tenant-alpha', 'bad tenant!'] }, defaultProfile, true);
    assert.deepEqual(r.ok ? null : r.reason, 'invalid');
    const viaAlias = resolveTenantFromHeaders({ [canonical]: 'tenant-alpha', [aliasB]: 'İnvalid' }, defaultProfile, true);
    assert.deepEqual(viaAlias.ok ? null : viaAlias.reason, 'invalid');
  });

  it('Graph answers conflicts with its own code', () => {
    assert.equal(tenantConflictCode('graph'), 'GRAPH_VALIDATION_FAILED');
    assert.equal(tenantConflictCode('platform'), 'tenant_conflict');
    assert.equal(tenantConflictCode('scanner'), 'tenant_conflict');
  });

  it('loopback detection', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', undefined, '']) assert.equal(isLoopback(a), false, String(a));
  });
});

describe('cursor pagination (pure)', () => {
  it('cursors round-trip their key', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 3 }), (key) => {
        assert.deepEqual(decodeCursor(encodeCursor(key), key.length), key);
      }),
    );
  });

  it('a foreign or malformed cursor is a 400', () => {
    assert.equal(decodeCursor(undefined, 1), null);
    for (const bad of ['!!', encodeCursor(['a', 'b']), Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[{}]').toString('base64url')]) {
      assert.throws(() => decodeCursor(bad, 1), (e: any) => e.code === 'validation_failed' && e.status === 400);
    }
  });

  it('toPage hands out `limit` items and a cursor only when more exist', () => {
    const rows = [1, 2, 3, 4].map((n) => ({ id: `r${n}` }));
    assert.deepEqual(toPage(rows.slice(0, 3), 3, (r) => [r.id]), { items: rows.slice(0, 3), nextCursor: null });
    const page = toPage(rows, 3, (r) => [r.id]);
    assert.equal(page.items.length, 3);
    assert.deepEqual(decodeCursor(page.nextCursor!, 1), ['r3']);
    assert.equal(pageLimit({}), 50);
    assert.equal(pageLimit({ limit: 1000 }), 200);
  });
});
