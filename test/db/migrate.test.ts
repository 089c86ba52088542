import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate, migrationsDir, readMigrations, MigrationError } from '../../src/db/migrate.ts';
import { assertRuntimeRoleSafe, UnsafeRoleError } from '../../src/db/role-safety.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testRoles, testTmp, TEST_RUNTIME_PASSWORD } from '../support/env.ts';
import { withCredentials } from '../../src/db/urls.ts';

describe('migrations', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t.drop());

  it('are idempotent: a second run applies nothing and changes nothing', async () => {
    const tablesBefore = await t.db.query("select count(*)::int as n from information_schema.tables where table_schema not in ('pg_catalog','information_schema')");
    const result = await migrate({ adminUrl: t.adminUrl, roles: testRoles, runtimePassword: TEST_RUNTIME_PASSWORD });
    assert.deepEqual(result.applied, []);
    assert.equal(result.skipped.length, readMigrations().length);
    const tablesAfter = await t.db.query("select count(*)::int as n from information_schema.tables where table_schema not in ('pg_catalog','information_schema')");
    assert.equal(tablesAfter.rows[0].n, tablesBefore.rows[0].n);
  });

  it('refuses an applied migration whose file changed', async () => {
    const dir = mkdtempSync(join(testTmp(), 'migrations-'));
    for (const f of readdirSync(migrationsDir)) copyFileSync(join(migrationsDir, f), join(dir, f));
    const first = readdirSync(dir).sort()[0];
    writeFileSync(join(dir, first), readMigrations(dir)[0].sql + '\n-- edited after the fact\n');
    await assert.rejects(
      migrate({ adminUrl: t.adminUrl, roles: testRoles, runtimePassword: TEST_RUNTIME_PASSWORD, migrations: readMigrations(dir) }),
      (err: unknown) => err instanceof MigrationError && /was changed after it was applied/.test(err.message),
    );
  });

  it('a failing migration rolls back entirely and is not recorded', async () => {
    const bad = { id: '9999', name: '9999_broken', sql: 'create table public.half_done (x int); select 1/0;', checksum: 'x' };
    await assert.rejects(
      migrate({ adminUrl: t.adminUrl, roles: testRoles, runtimePassword: TEST_RUNTIME_PASSWORD, migrations: [...readMigrations(), bad] }),
      /9999_broken failed: division by zero/,
    );
    const admin = new pg.Client({ connectionString: t.adminUrl });
    await admin.connect();
    const table = await admin.query("select to_regclass('public.half_done') as t");
    const recorded = await admin.query("select 1 from public.tenantgate_migrations where id = '9999'");
    await admin.end();
    assert.equal(table.rows[0].t, null);
    assert.equal(recorded.rowCount, 0);
  });

  it('provisions an owner that owns the tables and a runtime role that does not', async () => {
    const { rows } = await t.db.query("select tableowner from pg_tables where schemaname = 'sample' and tablename = 'notes'");
    assert.equal(rows[0].tableowner, testRoles.owner);
    const me = await t.db.query<{ u: string; rolsuper: boolean; rolbypassrls: boolean }>(
      'select current_user as u, rolsuper, rolbypassrls from pg_roles where rolname = current_user',
    );
    assert.deepEqual(me.rows[0], { u: testRoles.runtime, rolsuper: false, rolbypassrls: false });
  });
});

describe('role-safety check', () => {
  let t: TestDatabase;
  let admin: pg.Client;
  const extra: string[] = [];
  before(async () => {
    t = await createTestDatabase();
    admin = new pg.Client({ connectionString: t.adminUrl });
    await admin.connect();
  });
  after(async () => {
    for (const r of extra) await admin.query(`drop role if exists ${r}`).catch(() => undefined);
    await admin.end();
    await t.drop();
  });

  async function connectAs(attributes: string): Promise<pg.Client> {
    const role = `tg_probe_${randomBytes(4).toString('hex')}`;
    extra.push(role);
    await admin.query(`create role ${role} login password 'probe' ${attributes}`);
    const c = new pg.Client({ connectionString: withCredentials(t.adminUrl, role, 'probe') });
    await c.connect();
    return c;
  }

  it('accepts the runtime role', async () => {
    await assertRuntimeRoleSafe(t.db, testRoles.owner);
  });

  it('refuses a superuser, naming the fix', async () => {
    const c = await connectAs('superuser');
    try {
      await assert.rejects(assertRuntimeRoleSafe(c, testRoles.owner), (err: unknown) => err instanceof UnsafeRoleError && /superuser \(fix: ALTER ROLE \S+ NOSUPERUSER/.test(err.message));
    } finally {
      await c.end();
    }
  });

  it('refuses a BYPASSRLS role, naming the fix', async () => {
    const c = await connectAs('bypassrls');
    try {
      await assert.rejects(assertRuntimeRoleSafe(c, testRoles.owner), (err: unknown) => err instanceof UnsafeRoleError && /BYPASSRLS \(fix: ALTER ROLE \S+ NOBYPASSRLS\)/.test(err.message));
    } finally {
      await c.end();
    }
  });

  it('refuses a member of the owner role', async () => {
    const c = await connectAs('');
    try {
      await admin.query(`grant ${testRoles.owner} to ${extra[extra.length - 1]}`);
      await assert.rejects(assertRuntimeRoleSafe(c, testRoles.owner), /member of the owner role/);
    } finally {
      await c.end();
    }
  });

  it('the service context refuses to start with an unsafe role', async () => {
    const { createComponentContext } = await import('../../src/host/context.ts');
    const role = `tg_probe_${randomBytes(4).toString('hex')}`;
    extra.push(role);
    await admin.query(`create role ${role} login password 'probe' bypassrls`);
    await assert.rejects(
      createComponentContext({ name: 'platform', config: t.config(), runtimeUrl: withCredentials(t.adminUrl, role, 'probe'), keyEncryptionKey: t.keyEncryptionKey }),
      UnsafeRoleError,
    );
  });
});
