/** The tenantgate CLI's tenants/clients/users/keys commands against a real database. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const root = join(import.meta.dirname, '..', '..');

describe('tenantgate tenants|clients|users|keys', () => {
  let t: TestDatabase;

  function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const sets = [`database.url=${t.adminUrl}`, `database.runtimeUrl=${t.runtimeUrl}`, `secrets.keyEncryptionKey=${t.keyEncryptionKey}`, `database.dataDir=${join(t.stateDir, 'pg')}`];
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, ...sets.flatMap((s) => ['--set', s])], { cwd: root });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t?.drop());

  it('adds, lists and refuses with the same validation as the admin API', async () => {
    assert.equal((await cli('tenants', 'add', 'Tenant-Alpha', '--name', 'Alpha Corp')).code, 0);
    assert.equal((await cli('tenants', 'add', 'tenant-bravo')).code, 0);
    const list = await cli('tenants', 'list');
    assert.match(list.stdout, /tenant-alpha\s+Alpha Corp/);
    assert.match(list.stdout, /tenant-bravo\s+tenant-bravo/);

    const dup = await cli('clients', 'add', 'bot', '--grant', 'client_credentials', '--scope', 'scanner:read', '--tenants', 'tenant-alpha,tenant-alpha');
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /tenant_duplicate/);
    const unknown = await cli('clients', 'add', 'bot', '--grant', 'client_credentials', '--tenants', 'tenant-alpha tenant-zulu');
    assert.match(unknown.stderr, /tenant_unknown/);
    const { rows } = await t.db.query("select count(*)::int as n from authority.clients where client_id = 'bot'");
    assert.equal(rows[0].n, 0, 'a refused add creates nothing');

    const added = await cli('clients', 'add', 'bot', '--grant', 'client_credentials', '--scope', 'scanner:read', '--tenants', 'tenant-alpha tenant-bravo');
    assert.equal(added.code, 0, added.stderr);
    assert.match(JSON.parse(added.stdout).clientSecret, /^tgs_/);
    const updated = await cli('clients', 'update', 'bot', '--tenant', 'tenant-bravo');
    assert.equal(JSON.parse(updated.stdout).client.tenant, 'tenant-bravo');
    assert.deepEqual(JSON.parse(updated.stdout).client.tenants, ['tenant-alpha', 'tenant-bravo'], 'options not given stay as they were');
    assert.match((await cli('clients', 'list')).stdout, /bot\s+tenant=tenant-bravo tenants=tenant-alpha tenant-bravo/);

    const user = await cli('users', 'add', 'grace', '--tenants', 'tenant-alpha', '--role', 'viewer', '--fleet-roles', 'operator');
    assert.equal(user.code, 0, user.stderr);
    assert.ok(JSON.parse(user.stdout).password.length >= 12, 'a generated password is printed once');
    assert.deepEqual(JSON.parse(user.stdout).roles, { 'tenant-alpha': 'viewer' });
    const assigned = await cli('users', 'assign', 'grace', 'tenant-bravo', '--role', 'admin');
    assert.deepEqual(JSON.parse(assigned.stdout), { kind: 'user', id: 'grace', tenant: 'tenant-bravo', role: 'admin' }, assigned.stderr);
    assert.deepEqual(JSON.parse(user.stdout).fleetRoles, ['operator']);
    assert.match((await cli('users', 'list')).stdout, /grace\s+tenant=tenant-alpha tenants=tenant-alpha tenant-bravo roles=tenant-alpha=viewer,tenant-bravo=admin fleet=operator/);
    assert.match((await cli('users', 'update', 'grace', '--tenants', 'ｔenant')).stderr, /tenant_invalid/);
    assert.match((await cli('tenants', 'remove', 'tenant-alpha')).stderr, /conflict: tenant 'tenant-alpha' is still assigned/);
    assert.equal((await cli('users', 'remove', 'grace')).code, 0);
    assert.equal((await cli('clients', 'remove', 'bot')).code, 0);
    assert.equal((await cli('tenants', 'remove', 'tenant-alpha')).code, 0);

    const audit = await t.db.query("select type, actor from telemetry.audit_events where type like 'authority.%' order by id");
    assert.ok(audit.rows.length >= 8);
    assert.ok(audit.rows.every((r: any) => r.actor.startsWith('cli:')));
  });

  it('keys rotate makes a new current key and keeps the old one published', async () => {
    const first = await cli('keys', 'rotate');
    assert.equal(first.code, 0, first.stderr);
    const second = await cli('keys', 'rotate', '--algorithm', 'ES256');
    assert.match(second.stdout, /new signing key es-[0-9a-f-]+ \(ES256\); retired ed-/);
    const list = await cli('keys', 'list');
    assert.match(list.stdout, /ES256\s+created .* current/);
    assert.match(list.stdout, /EdDSA\s+created .* retired .* published until/);
    const idFirst = await cli('keys', 'rotate', 'id-token');
    assert.match(idFirst.stdout, /new ID-token key rs-[0-9a-f-]+ \(RS256\)\n/);
    const idSecond = await cli('keys', 'rotate', 'id-token');
    assert.match(idSecond.stdout, /new ID-token key rs-[0-9a-f-]+ \(RS256\); retired rs-/);
    assert.match((await cli('keys', 'rotate', 'id-token', '--algorithm', 'EdDSA')).stderr, /RS256/);
    const idList = await cli('keys', 'list', 'id-token');
    assert.match(idList.stdout, /RS256\s+created .* current/);
    assert.doesNotMatch(idList.stdout, /EdDSA|ES256/);
    assert.match((await cli('keys', 'list')).stdout, /ES256\s+created .* current/, 'the ID-token rotation left the access-token key current');
    assert.doesNotMatch((await cli('keys', 'list')).stdout, /RS256/);
    const { rows } = await t.db.query('select private_key_sealed from authority.signing_keys');
    for (const r of rows) assert.match(r.private_key_sealed, /^v1\./, 'private keys are sealed');
  });
});
