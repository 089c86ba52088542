import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideUrlTenant, withTenantParam } from '../../../web/src/tenant/url-tenant.ts';

const assigned = ['tenant-alpha', 'tenant-bravo'];

test('no tenant in the address: the committed one is written into it', () => {
  assert.deepEqual(decideUrlTenant(null, 'tenant-alpha', assigned), { action: 'fill', tenant: 'tenant-alpha' });
  assert.deepEqual(decideUrlTenant('', 'tenant-alpha', assigned), { action: 'fill', tenant: 'tenant-alpha' });
});

test('the committed tenant is kept; a non-normalized spelling of it is rewritten', () => {
  assert.deepEqual(decideUrlTenant('tenant-alpha', 'tenant-alpha', assigned), { action: 'keep' });
  assert.deepEqual(decideUrlTenant(' Tenant-ALPHA ', 'tenant-alpha', assigned), { action: 'fill', tenant: 'tenant-alpha' });
});

test('another assigned tenant is a switch', () => {
  assert.deepEqual(decideUrlTenant('tenant-bravo', 'tenant-alpha', assigned), { action: 'switch', tenant: 'tenant-bravo' });
});

test('a tenant the user lacks is refused, never switched to', () => {
  assert.deepEqual(decideUrlTenant('tenant-alpha', 'tenant-bravo', ['tenant-bravo']), { action: 'refuse', requested: 'tenant-alpha', reason: 'not_assigned' });
  assert.deepEqual(decideUrlTenant('tenant-charlie', 'tenant-alpha', assigned), { action: 'refuse', requested: 'tenant-charlie', reason: 'not_assigned' });
});

test('a malformed tenant id is refused as malformed', () => {
  assert.deepEqual(decideUrlTenant('tenant alpha', 'tenant-alpha', assigned), { action: 'refuse', requested: 'tenant alpha', reason: 'malformed' });
  assert.deepEqual(decideUrlTenant('İstanbul', 'tenant-alpha', assigned), { action: 'refuse', requested: 'İstanbul', reason: 'malformed' });
});

test('withTenantParam keeps the other parameters', () => {
  assert.equal(withTenantParam('?q=web&tenant=tenant-alpha', 'tenant-bravo'), '?q=web&tenant=tenant-bravo');
  assert.equal(withTenantParam('', 'tenant-bravo'), '?tenant=tenant-bravo');
});
