/**
 * Row-level security as the last line of defense for the Platform and Graph schemas: even SQL
 * that forgets its tenant filter, or tries to escape the runtime role, sees only one tenant.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { seedGraphDemo } from '../../../src/modules/graph/demo-seed.ts';
import { seedPlatformDemo } from '../../../src/modules/platform/demo-seed.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { testRoles } from '../../support/env.ts';

const TENANT_TABLES = ['platform.preferences', 'platform.environments', 'platform.targets', 'graph.sboms', 'graph.nodes', 'graph.edges'];

describe('row-level security on the Platform and Graph schemas', () => {
  let t: TestDatabase;
  let runtime: pg.Client;
  before(async () => {
    t = await createTestDatabase();
    const seed = { db: t.db, config: t.config(), keyEncryptionKey: t.keyEncryptionKey, credentials: { clients: {}, users: {} } };
    await seedPlatformDemo(seed);
    await seedGraphDemo(seed);
    await t.db.withTenant('tenant-alpha', (c) =>
      c.query("insert into platform.preferences (tenant_id, subject, region) values ('tenant-alpha', 'alice', 'eu-west-1')"),
    );
    await t.db.withTenant('tenant-bravo', (c) =>
      c.query("insert into platform.preferences (tenant_id, subject, region) values ('tenant-bravo', 'alice', 'us-east-1')"),
    );
    runtime = new pg.Client({ connectionString: t.runtimeUrl });
    await runtime.connect();
  });
  after(async () => {
    await runtime.end();
    await t.drop();
  });

  it('every tenant table: RLS enabled and forced, USING and WITH CHECK, keys and indexes led by tenant_id', async () => {
    const admin = new pg.Client({ connectionString: t.adminUrl });
    await admin.connect();
    try {
      for (const table of TENANT_TABLES) {
        const [schema, name] = table.split('.');
        const rel = await admin.query(
          `select c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner) as owner
             from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2`,
          [schema, name],
        );
        assert.deepEqual(rel.rows[0], { relrowsecurity: true, relforcerowsecurity: true, owner: testRoles.owner }, table);
        const policies = await admin.query('select qual, with_check, cmd from pg_policies where schemaname = $1 and tablename = $2', [schema, name]);
        assert.equal(policies.rows.length, 1, table);
        assert.match(policies.rows[0].qual, /tenant_id = current_setting\('app.tenant_id'::text, true\)/);
        assert.match(policies.rows[0].with_check, /tenant_id = current_setting\('app.tenant_id'::text, true\)/);
        assert.equal(policies.rows[0].cmd, 'ALL');
        const indexes = await admin.query(
          `select i.indexrelid::regclass::text as index, a.attname as first
             from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
            where i.indrelid = $1::regclass`,
          [table],
        );
        assert.ok(indexes.rows.length >= 1);
        for (const ix of indexes.rows) assert.equal(ix.first, 'tenant_id', `${ix.index} must lead with tenant_id`);
      }
    } finally {
      await admin.end();
    }
  });

  it('a query that forgets its tenant filter still sees only its tenant', async () => {
    for (const tenant of ['tenant-alpha', 'tenant-bravo']) {
      for (const table of TENANT_TABLES) {
        const { rows } = await t.db.withTenant(tenant, (c) => c.query(`select distinct tenant_id from ${table}`));
        assert.deepEqual(rows, [{ tenant_id: tenant }], `${table} as ${tenant}`);
      }
    }
    const names = await t.db.withTenant('tenant-alpha', (c) => c.query("select name from platform.environments where id = 'prod' or name like '%Bravo%'"));
    assert.deepEqual(names.rows, [{ name: 'Alpha Production' }]);
    const joined = await t.db.withTenant('tenant-alpha', (c) =>
      c.query('select count(*)::int as n from graph.edges e join graph.nodes n on n.id = e.to_id where n.name like $1', ['Bravo%']),
    );
    assert.equal(joined.rows[0].n, 0);
  });

  it('no tenant set → no rows; an unknown tenant → no rows', async () => {
    for (const table of TENANT_TABLES) {
      assert.equal((await runtime.query(`select count(*)::int as n from ${table}`)).rows[0].n, 0, table);
      const none = await t.db.withTenant('tenant-charlie', (c) => c.query(`select count(*)::int as n from ${table}`));
      assert.equal(none.rows[0].n, 0, table);
    }
  });

  it('writes cannot reach or create another tenant’s rows', async () => {
    await assert.rejects(
      t.db.withTenant('tenant-alpha', (c) => c.query("insert into platform.environments (tenant_id, id, name, created_by) values ('tenant-bravo', 'x', 'smuggled', 'm')")),
      /row-level security/,
    );
    const upd = await t.db.withTenant('tenant-alpha', (c) => c.query("update graph.nodes set name = 'pwned' where tenant_id = 'tenant-bravo'"));
    assert.equal(upd.rowCount, 0);
    await assert.rejects(
      t.db.withTenant('tenant-alpha', (c) => c.query("update platform.environments set tenant_id = 'tenant-bravo' where id = 'prod'")),
      /row-level security/,
    );
    const del = await t.db.withTenant('tenant-alpha', (c) => c.query('delete from platform.targets where tenant_id <> $1', ['tenant-alpha']));
    assert.equal(del.rowCount, 0);
    const bravo = await t.db.withTenant('tenant-bravo', (c) => c.query("select name from platform.environments where id = 'prod'"));
    assert.deepEqual(bravo.rows, [{ name: 'Bravo Production' }]);
  });

  it('the runtime role cannot become the owner: SET ROLE, SET SESSION AUTHORIZATION fail; RESET ROLE changes nothing', async () => {
    await assert.rejects(runtime.query(`set role ${testRoles.owner}`), /permission denied/);
    await assert.rejects(runtime.query(`set session authorization ${testRoles.owner}`), /permission denied/);
    await assert.rejects(runtime.query('set role postgres'), /permission denied|does not exist/);
    await runtime.query('reset role');
    await runtime.query('reset session authorization');
    const who = await runtime.query('select current_user as u, session_user as s');
    assert.deepEqual(who.rows[0], { u: testRoles.runtime, s: testRoles.runtime });
    assert.equal((await runtime.query('select count(*)::int as n from platform.environments')).rows[0].n, 0);
  });

  it('the runtime role cannot switch RLS off, drop or replace the policy, or take the table', async () => {
    const attempts = [
      'alter table platform.environments disable row level security',
      'alter table platform.environments no force row level security',
      'drop policy tenant_isolation on graph.nodes',
      "create policy open_door on graph.nodes using (true)",
      `alter table graph.nodes owner to ${testRoles.runtime}`,
      `alter role ${testRoles.runtime} bypassrls`,
      `alter role ${testRoles.runtime} superuser`,
      `grant ${testRoles.owner} to ${testRoles.runtime}`,
      'create view public.all_envs as select * from platform.environments',
      'create function platform.peek() returns setof platform.environments language sql security definer as $$ select * from platform.environments $$',
      'truncate platform.environments',
    ];
    for (const sql of attempts) {
      await assert.rejects(runtime.query(sql), /must be owner|permission denied|must have|must be superuser|only superuser/i, sql);
    }
    const still = await t.db.withTenant('tenant-bravo', (c) => c.query('select count(*)::int as n from platform.environments'));
    assert.equal(still.rows[0].n, 2);
  });

  it('row_security = off makes a policy-affected query fail instead of bypassing it', async () => {
    await assert.rejects(
      t.db.withTenant('tenant-alpha', async (c) => {
        await c.query('set local row_security = off');
        return c.query('select * from platform.environments');
      }),
      /row-level security/,
    );
  });

  it('a session-level app.tenant_id on a pooled connection never overrides the verified tenant of withTenant', async () => {
    await t.db.query("set app.tenant_id = 'tenant-bravo'");
    // The pool hands the same (only idle) connection back; withTenant sets its own value.
    for (let i = 0; i < 3; i++) {
      const { rows } = await t.db.withTenant('tenant-alpha', (tx) => tx.query('select distinct tenant_id from platform.environments'));
      assert.deepEqual(rows, [{ tenant_id: 'tenant-alpha' }]);
    }
    // And a set_config inside a statement cannot widen a policy to two tenants at once.
    const both = await t.db.withTenant('tenant-alpha', (tx) =>
      tx.query("select count(distinct tenant_id)::int as n from platform.environments where tenant_id in ('tenant-alpha', 'tenant-bravo')"),
    );
    assert.equal(both.rows[0].n, 1);
  });

  it('catalog tricks do not reveal another tenant’s rows', async () => {
    await assert.rejects(runtime.query("select pg_read_file('base')"), /permission denied/);
    const admin = new pg.Client({ connectionString: t.adminUrl });
    await admin.connect();
    await admin.query('analyze platform.environments, graph.nodes');
    const visibleToOwner = await admin.query("select count(*)::int as n from pg_stats where schemaname in ('platform', 'graph')");
    await admin.end();
    assert.ok(visibleToOwner.rows[0].n > 0, 'statistics exist');
    const stats = await runtime.query("select count(*)::int as n from pg_stats where schemaname in ('platform', 'graph')");
    assert.equal(stats.rows[0].n, 0, 'column statistics (most common values) stay hidden from a role under RLS');
  });
});
