/**
 * Substring search on a large graph uses its trigram indexes: 100k nodes in one tenant (and
 * some in another), EXPLAIN of the search as the runtime role shows no sequential scan, and
 * the matching in graph.search_node_ids runs on node_search's GIN indexes. The side table
 * stays out of the runtime role's reach, and a search sees only its tenant.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { searchNodes } from '../../../src/modules/graph/store/node-store.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { testRoles } from '../../support/env.ts';

const NODES = 100_000;

describe('graph substring search on 100k nodes', () => {
  let t: TestDatabase;
  let admin: pg.Client;

  before(async () => {
    t = await createTestDatabase();
    admin = new pg.Client({ connectionString: t.adminUrl });
    await admin.connect();
    // Bulk load as the superuser (no RLS, triggers still fill graph.node_search).
    await admin.query(
      `insert into graph.nodes (tenant_id, id, purl, type, name)
       select 'tenant-alpha', 'n' || g, 'pkg:npm/lib-' || md5(g::text) || '@1.0.' || g, 'library', 'Library ' || md5('name' || g)
         from generate_series(1, $1::int) g`,
      [NODES],
    );
    await admin.query(
      `insert into graph.nodes (tenant_id, id, purl, type, name) values
        ('tenant-alpha', 'needle-a', 'pkg:npm/left-pad-zq@1.3.0', 'library', 'Left pad ZQ'),
        ('tenant-bravo', 'needle-b', 'pkg:npm/left-pad-zq@1.3.0', 'library', 'Bravo left pad ZQ')`,
    );
    await admin.query('analyze graph.nodes');
    await admin.query('analyze graph.node_search');
  });
  after(async () => {
    await admin?.end();
    await t?.drop();
  });

  const plan = (rows: any[]) => rows.map((r) => r['QUERY PLAN']).join('\n');

  it('finds a substring of the name or the purl, in its tenant only', async () => {
    const alpha = await t.db.withTenant('tenant-alpha', (c) => searchNodes(c, 't pad z', null, 50));
    assert.deepEqual(alpha.map((n) => n.id), ['needle-a']);
    const byPurl = await t.db.withTenant('tenant-bravo', (c) => searchNodes(c, 'LEFT-PAD-zq@1', null, 50));
    assert.deepEqual(byPurl.map((n) => n.id), ['needle-b']);
    const started = Date.now();
    const many = await t.db.withTenant('tenant-alpha', (c) => searchNodes(c, 'library', null, 50));
    assert.equal(many.length, 51, 'a page plus one to tell there is more');
    assert.ok(Date.now() - started < 2_000, `a common term answers quickly (${Date.now() - started} ms)`);
  });

  it('the matching query runs on the trigram GIN index, not a sequential scan', async () => {
    // The body of graph.search_node_ids, planned as the function runs it: as its owner, with the tenant set.
    const { rows } = await admin.query("select prosrc from pg_proc where proname = 'search_node_ids'");
    await admin.query('begin');
    try {
      await admin.query(`set local role ${testRoles.owner}`);
      await admin.query("select set_config('app.tenant_id', 'tenant-alpha', true)");
      await admin.query('set local search_path = pg_catalog, public');
      await admin.query(`prepare search_body(text, text, text, integer) as ${rows[0].prosrc}`);
      // Selective patterns (a name and a purl substring): a pattern whose trigrams most rows share, like
      // '%lib-0fa%', leaves the planner free to prefer the ordered index with a LIMIT (still no Seq Scan).
      for (const pattern of ['%t pad z%', '%left-pad-zq@%']) {
        const explained = plan((await admin.query(`explain execute search_body('${pattern}', null, null, 51)`)).rows);
        assert.match(explained, /Bitmap Index Scan on node_search_(name|purl)_trgm/, explained);
        assert.doesNotMatch(explained, /Seq Scan/, explained);
      }
      for (const pattern of ['%library%', '%lib-0fa%']) {
        const common = plan((await admin.query(`explain execute search_body('${pattern}', null, null, 51)`)).rows);
        assert.doesNotMatch(common, /Seq Scan/, common);
      }
      await admin.query('deallocate search_body');
    } finally {
      await admin.query('rollback');
    }
  });

  it('the search as the runtime role reads graph.nodes by key, never by a sequential scan', async () => {
    const explained = await t.db.withTenant('tenant-alpha', (c) =>
      c.query(
        `explain select n.id from graph.search_node_ids('%t pad z%', null, null, 51) s join graph.nodes n on n.id = s.node_id order by s.name_lower, s.node_id`,
      ),
    );
    assert.doesNotMatch(plan(explained.rows), /Seq Scan on nodes/, plan(explained.rows));
  });

  it('graph.node_search is out of the runtime role\'s reach; no tenant set finds nothing', async () => {
    await assert.rejects(
      t.db.withTenant('tenant-alpha', (c) => c.query('select count(*) from graph.node_search')),
      (err: any) => /permission denied/.test(err.message) || /permission denied/.test(String(err.cause?.message)),
    );
    const runtime = new pg.Client({ connectionString: t.runtimeUrl });
    await runtime.connect();
    try {
      const { rows } = await runtime.query("select count(*)::int as n from graph.search_node_ids('%pad%', null, null, 10)");
      assert.equal(rows[0].n, 0);
    } finally {
      await runtime.end();
    }
  });

  it('renames and deletes follow into the search table', async () => {
    await admin.query("update graph.nodes set name = 'Right pad QX' where id = 'needle-a'");
    assert.deepEqual((await t.db.withTenant('tenant-alpha', (c) => searchNodes(c, 'right pad', null, 10))).map((n) => n.id), ['needle-a']);
    await admin.query("delete from graph.nodes where id = 'needle-a'");
    assert.deepEqual(await t.db.withTenant('tenant-alpha', (c) => searchNodes(c, 'right pad', null, 10)), []);
  });
});
