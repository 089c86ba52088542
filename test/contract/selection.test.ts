import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignedSet, selectTenant, type SelectionInput } from '../../src/contract/selection.ts';

const cc = (client: SelectionInput['client'], requested: string[] = []): SelectionInput => ({ grant: 'client_credentials', client, requested });
const userGrant = (grant: SelectionInput['grant'], client: SelectionInput['client'], user: SelectionInput['user'], requested: string[] = []): SelectionInput => ({ grant, client, user, requested });

describe('assignedSet (CONTRACT.md §3)', () => {
  it('client grants: client.tenants ∪ {client.tenant}', () => {
    assert.deepEqual(assignedSet({ grant: 'client_credentials', client: { tenant: 'c', tenants: ['b', 'a'] } }), ['a', 'b', 'c']);
    assert.deepEqual(assignedSet({ grant: 'client_credentials', client: { tenant: 'a', tenants: ['a'] } }), ['a']);
    assert.deepEqual(assignedSet({ grant: 'client_credentials', client: {} }), []);
  });

  it('user grants: the user set, intersected with the client set when the client declares one', () => {
    for (const grant of ['password', 'authorization_code', 'refresh_token'] as const) {
      assert.deepEqual(assignedSet({ grant, client: {}, user: { tenant: 'a', tenants: ['b'] } }), ['a', 'b']);
      assert.deepEqual(assignedSet({ grant, client: { tenants: ['b', 'c'] }, user: { tenant: 'a', tenants: ['b'] } }), ['b']);
      assert.deepEqual(assignedSet({ grant, client: { tenant: 'z' }, user: { tenants: ['a'] } }), []);
    }
  });
});

describe('selectTenant rules in order (CONTRACT.md §3)', () => {
  it('rule 1: tenant sent more than once → duplicate_parameter, even when both are equal and valid', () => {
    for (const requested of [['a', 'a'], ['a', 'b'], ['a', '']]) {
      const r = selectTenant(cc({ tenants: ['a', 'b'] }, requested));
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.code, 'duplicate_parameter');
    }
  });

  it('rule 2: malformed requested value → tenant_invalid (before assignment is considered)', () => {
    for (const bad of ['', ' ', 'a b', 'a,b', 'a;b', 'ｔenant', 'tenant-\u0430', 'İ', 'x'.repeat(129), '-a']) {
      const r = selectTenant(cc({ tenants: ['a'] }, [bad]));
      assert.equal(!r.ok && r.code, 'tenant_invalid', JSON.stringify(bad));
    }
  });

  it('rule 2: requested value outside A → tenant_not_assigned, never a silent fallback', () => {
    const r = selectTenant(cc({ tenant: 'a', tenants: ['a', 'b'] }, ['c']));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 'tenant_not_assigned');
    assert.equal(!r.ok && r.requested, 'c');
    assert.deepEqual(r.assigned, ['a', 'b']);
  });

  it('rule 2: requested value in A is selected (normalized), how = requested', () => {
    const r = selectTenant(cc({ tenant: 'a', tenants: ['a', 'tenant-bravo'] }, ['  Tenant-BRAVO ']));
    assert.deepEqual(r, { ok: true, tenant: 'tenant-bravo', how: 'requested', assigned: ['a', 'tenant-bravo'], requested: 'tenant-bravo' });
  });

  it('rule 2 beats the default: requesting a non-default assigned tenant selects it', () => {
    const r = selectTenant(userGrant('password', {}, { tenant: 'a', tenants: ['b'] }, ['b']));
    assert.equal(r.ok && r.tenant, 'b');
    assert.equal(r.ok && r.how, 'requested');
  });

  it('rule 3: the default D is selected when in A, how = default', () => {
    const r = selectTenant(cc({ tenant: 'b', tenants: ['a', 'b', 'c'] }));
    assert.deepEqual(r, { ok: true, tenant: 'b', how: 'default', assigned: ['a', 'b', 'c'], requested: null });
  });

  it('rule 3: for user grants D is the user default, not the client default', () => {
    const r = selectTenant(userGrant('authorization_code', { tenant: 'b', tenants: ['a', 'b'] }, { tenant: 'a', tenants: ['a', 'b'] }));
    assert.equal(r.ok && r.tenant, 'a');
    assert.equal(r.ok && r.how, 'default');
  });

  it('rule 3 does not apply when D is outside A (user default excluded by the client set)', () => {
    const r = selectTenant(userGrant('password', { tenants: ['b', 'c'] }, { tenant: 'a', tenants: ['a', 'b', 'c'] }));
    assert.equal(!r.ok && r.code, 'tenant_ambiguous');
    const single = selectTenant(userGrant('password', { tenants: ['b'] }, { tenant: 'a', tenants: ['a', 'b'] }));
    assert.equal(single.ok && single.tenant, 'b');
    assert.equal(single.ok && single.how, 'single');
  });

  it('rule 4: a single assigned tenant is selected, how = single', () => {
    const r = selectTenant(cc({ tenants: ['tenant-bravo'] }));
    assert.deepEqual(r, { ok: true, tenant: 'tenant-bravo', how: 'single', assigned: ['tenant-bravo'], requested: null });
  });

  it('rule 5: empty A → tenant_unassigned; several without default → tenant_ambiguous', () => {
    const none = selectTenant(cc({}));
    assert.equal(!none.ok && none.code, 'tenant_unassigned');
    const many = selectTenant(cc({ tenants: ['a', 'b'] }));
    assert.equal(!many.ok && many.code, 'tenant_ambiguous');
    const userNone = selectTenant(userGrant('refresh_token', { tenants: ['x'] }, { tenants: ['y'] }));
    assert.equal(!userNone.ok && userNone.code, 'tenant_unassigned');
  });

  it('a requested tenant against an empty A is tenant_not_assigned (rule 2 comes before rule 5)', () => {
    const r = selectTenant(cc({}, ['a']));
    assert.equal(!r.ok && r.code, 'tenant_not_assigned');
  });

  it('is deterministic: the same input gives the same output', () => {
    const input = cc({ tenant: 'b', tenants: ['c', 'a', 'b'] });
    assert.deepEqual(selectTenant(input), selectTenant(input));
  });
});
