/** `services.<name>`: a bad entry stops the start with the key and the reason. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { declaredServices } from '../../src/config/services.ts';
import { roleTableFor, roleScopes } from '../../src/contract/roles.ts';
import { builtInServices } from '../../src/contract/services.ts';
import { testTmp } from '../support/env.ts';

const inventory = { url: 'http://inventory.internal:9000', routes: [{ prefix: '/api/v1/inventory/', access: 'protected' as const, methodScopes: { GET: ['inventory:read'] }, scopes: ['inventory:write'] }] };

function load(services: Record<string, unknown>) {
  return loadConfig({ cwd: mkdtempSync(join(testTmp(), 'services-')), env: {}, overrides: { services } });
}

function refused(services: Record<string, unknown>, pattern: RegExp): void {
  assert.throws(() => load(services), (err: unknown) => err instanceof ConfigError && pattern.test(err.message), `expected ${pattern}`);
}

describe('services configuration', () => {
  it('Platform, Scanner and Graph are default entries; a declared service joins them', () => {
    const c = load({ inventory });
    assert.deepEqual(declaredServices(c).map((s) => [s.name, s.builtIn]), [['platform', true], ['scanner', true], ['graph', true], ['inventory', false]]);
    const inv = declaredServices(c).find((s) => s.name === 'inventory')!;
    assert.equal(inv.url, 'http://inventory.internal:9000');
    assert.deepEqual(inv.reportClients, ['inventory']);
    assert.deepEqual(inv.legacyHeaders, { accept: true, emit: true });
  });

  it('the built-in role table is the one the built-in service entries derive', () => {
    assert.deepEqual(roleTableFor(Object.values(builtInServices)), roleScopes);
    assert.ok(roleScopes.tenant.viewer.includes('graph:query'), 'graph names its role grants: a query is a read');
    const table = roleTableFor([...Object.values(builtInServices), { routes: inventory.routes }]);
    assert.ok(table.tenant.viewer.includes('inventory:read') && !table.tenant.viewer.includes('inventory:write'));
    assert.ok(table.tenant.member.includes('inventory:write') && table.tenant.admin.includes('inventory:write'));
    const explicit = roleTableFor([{ routes: inventory.routes, roles: { admin: ['inventory:write'] } }]);
    assert.ok(!explicit.tenant.member.includes('inventory:write') && explicit.tenant.admin.includes('inventory:write'));
  });

  it('an unknown key names the key, the source and the key meant', () => {
    refused({ inventory: { ...inventory, rutes: [] } }, /unknown setting services\.inventory\.rutes from --set; did you mean services\.inventory\.routes\?/);
    refused({ inventory: { ...inventory, routes: [{ ...inventory.routes[0], prefx: '/x' }] } }, /unknown setting services\.inventory\.routes\.0\.prefx/);
  });

  it('a non-URL, or no URL for an external service', () => {
    refused({ inventory: { ...inventory, url: 'inventory:9000' } }, /services\.inventory\.url = "inventory:9000": not a URL/);
    refused({ inventory: { routes: inventory.routes } }, /services\.inventory\.url = undefined: an external service needs url/);
  });

  it('a duplicate prefix names both entries', () => {
    refused({ inventory, billing: { url: 'http://billing:1', routes: [{ prefix: '/api/v1/inventory/', scopes: ['billing:read'] }] } }, /services\.billing\.routes\.0\.prefix = "\/api\/v1\/inventory\/": duplicate prefix \/api\/v1\/inventory\/: services\.inventory declares it already/);
    refused({ inventory: { url: 'http://i:1', routes: [{ prefix: '/api/v1/scans' }] } }, /services\.inventory\.routes\.0\.prefix = "\/api\/v1\/scans": duplicate prefix \/api\/v1\/scans: the built-in service scanner declares it already/);
  });

  it('a prefix shadowing a built-in route', () => {
    refused({ inventory: { url: 'http://i:1', routes: [{ prefix: '/admin/inventory' }] } }, /services\.inventory\.routes\.0\.prefix = "\/admin\/inventory": prefix \/admin\/inventory shadows the built-in route \/admin\/ of the Authority/);
    refused({ inventory: { url: 'http://i:1', routes: [{ prefix: '/api/v1/graph/inventory' }] } }, /shadows the built-in route \/api\/v1\/graph\/ of the built-in service graph/);
    refused({ inventory: { url: 'http://i:1', routes: [{ prefix: '/gateway/v1/legacy-use' }] } }, /shadows the built-in route \/gateway\/ of the gateway/);
    refused({ inventory: { url: 'http://i:1', routes: [{ prefix: '/' }] } }, /services\.inventory\.routes\.0\.prefix = "\/": the prefix \/ would take every path/);
    // A broader prefix does not shadow: the longer built-in prefix still wins.
    assert.ok(load({ inventory: { url: 'http://i:1', routes: [{ prefix: '/api/v2/' }] } }));
  });

  it("a scope that is tenantgate's own or another service's, a role grant of a scope no route names, a bad name", () => {
    refused({ inventory: { url: 'http://i:1', routes: [{ prefix: '/api/v1/inventory/', scopes: ['rollout:write'] }] } }, /services\.inventory\.routes\.0\.scopes\.0 = "rollout:write": scope rollout:write is tenantgate's own/);
    refused({ inventory: { url: 'http://i:1', routes: [{ prefix: '/api/v1/inventory/', methodScopes: { GET: ['graph:read'] } }] } }, /services\.inventory\.routes\.0\.methodScopes\.GET\.0 = "graph:read": scope graph:read is tenantgate's own/);
    refused({ inventory: { ...inventory, roles: { viewer: ['inventory:admin'] } } }, /services\.inventory\.roles\.viewer\.0 = "inventory:admin": scope inventory:admin is named by no route of inventory/);
    refused({ Inventory: inventory }, /services\.Inventory = .*: a service name is lower-case/);
    refused({ authority: inventory }, /services\.authority = .*: authority is a tenantgate component/);
  });

  it('errors come from a file too, naming the key', () => {
    const cwd = mkdtempSync(join(testTmp(), 'services-file-'));
    writeFileSync(join(cwd, 'tenantgate.config.yaml'), 'services:\n  inventory:\n    url: not-a-url\n    routes:\n      - prefix: /api/v1/inventory/\n');
    assert.throws(() => loadConfig({ cwd, env: {} }), /services\.inventory\.url = "not-a-url": not a URL/);
  });
});
