/** Migration 0070 carries existing scope lists over to roles (docs/authority.md, "Roles after upgrading"). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate, readMigrations } from '../../src/db/migrate.ts';
import { withDatabase } from '../../src/db/urls.ts';
import { testAdminUrl, testRoles, TEST_RUNTIME_PASSWORD } from '../support/env.ts';

describe('migration 0070: roles from scopes', () => {
  const name = `tg_${randomBytes(6).toString('hex')}`;
  let admin: pg.Client;

  before(async () => {
    const server = new pg.Client({ connectionString: testAdminUrl() });
    await server.connect();
    await server.query(`create database ${name}`);
    await server.end();
    const adminUrl = withDatabase(testAdminUrl(), name);
    const all = readMigrations();
    await migrate({ adminUrl, roles: testRoles, runtimePassword: TEST_RUNTIME_PASSWORD, migrations: all.filter((m) => m.id < '0070') });
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query("insert into authority.tenants (id, display_name) values ('tenant-alpha', 'A'), ('tenant-bravo', 'B')");
    const users: [string, string | null, string[], string[]][] = [
      ['wide', 'tenant-alpha', ['tenant-alpha', 'tenant-bravo'], ['platform:read', 'scanner:write', 'rollout:read', 'rollout:write', 'authority:audit.read']],
      ['reader', null, ['tenant-bravo'], ['platform:read', 'rollout:read']],
      ['admin', 'tenant-alpha', [], ['authority:users.write', 'scanner:read']],
    ];
    for (const [u, tenant, tenants, scopes] of users) {
      await admin.query('insert into authority.users (id, username, password_hash, tenant, tenants, scopes) values ($1, $1, $2, $3, $4, $5)', [u, 'x', tenant, tenants, scopes]);
    }
    await admin.query(
      `insert into authority.clients (client_id, display_name, secret_digest, grant_types, scopes, tenant, tenants) values
       ('bot', 'bot', 'd', '{client_credentials}', '{scanner:read,scanner:write}', null, '{tenant-alpha,tenant-bravo}'),
       ('ops-bot', 'ops', 'd', '{client_credentials}', '{authority:clients.write,authority:clients.read,authority:audit.read,rollout:write}', 'tenant-alpha', '{}'),
       ('console', 'console', 'd', '{authorization_code}', '{rollout:write,authority:audit.read,openid}', null, '{}')`,
    );
    await migrate({ adminUrl, roles: testRoles, runtimePassword: TEST_RUNTIME_PASSWORD, migrations: all });
  });
  after(async () => {
    await admin?.end();
    const server = new pg.Client({ connectionString: testAdminUrl() });
    await server.connect();
    await server.query(`drop database if exists ${name} with (force)`);
    await server.end();
  });

  it('users: a role per assigned tenant and fleet roles reproducing what their scopes reached', async () => {
    const { rows } = await admin.query('select username, roles, fleet_roles from authority.users order by username');
    assert.deepEqual(rows, [
      { username: 'admin', roles: { 'tenant-alpha': 'admin' }, fleet_roles: ['operator'] },
      { username: 'reader', roles: { 'tenant-bravo': 'viewer' }, fleet_roles: [] },
      { username: 'wide', roles: { 'tenant-alpha': 'member', 'tenant-bravo': 'member' }, fleet_roles: ['operator', 'auditor'] },
    ]);
    const column = await admin.query("select 1 from information_schema.columns where table_schema = 'authority' and table_name = 'users' and column_name = 'scopes'");
    assert.equal(column.rowCount, 0, 'users no longer hold a scope list');
  });

  it("clients: roles for their own tokens; a ceiling that held cross-tenant scopes gains the fleet names", async () => {
    const { rows } = await admin.query('select client_id, roles, fleet_roles, scopes from authority.clients order by client_id');
    const byId = Object.fromEntries(rows.map((r: any) => [r.client_id, r]));
    assert.deepEqual(byId.bot.roles, { 'tenant-alpha': 'member', 'tenant-bravo': 'member' });
    assert.deepEqual(byId.bot.fleet_roles, []);
    assert.deepEqual(byId.bot.scopes, ['scanner:read', 'scanner:write']);
    assert.deepEqual(byId['ops-bot'].fleet_roles, ['operator', 'auditor']);
    assert.ok(byId['ops-bot'].scopes.includes('authority:fleet.write') && byId['ops-bot'].scopes.includes('authority:fleet.read') && byId['ops-bot'].scopes.includes('authority:audit.fleet'));
    assert.deepEqual(byId.console.fleet_roles, [], 'a user-only client gets no fleet role of its own');
    assert.ok(byId.console.scopes.includes('authority:audit.fleet'));
  });
});
