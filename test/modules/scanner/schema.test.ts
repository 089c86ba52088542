/**
 * The Scanner schema as the last line of defence: every table that holds tenant data is
 * under forced row-level security; the only tables outside it are the ones documented as
 * cross-tenant (advisories, the job queue, the webhook routing table).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadBundledAdvisories } from '../../../src/modules/scanner/advisories/load-bundled-dataset.ts';
import { syncAdvisories } from '../../../src/modules/scanner/advisories/sync-advisories.ts';
import { buildAdvisoryIndex } from '../../../src/modules/scanner/engine/advisory-index.ts';
import { executeScan } from '../../../src/modules/scanner/engine/execute-scan.ts';
import { createScan } from '../../../src/modules/scanner/store/scan-store.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { ALPHA, BRAVO, digest, sbomFor } from './harness.ts';

describe('scanner schema and row-level security', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    const advisories = loadBundledAdvisories();
    await syncAdvisories(t.db, advisories);
    const index = buildAdvisoryIndex(advisories);
    for (const tenant of [ALPHA, BRAVO]) {
      await t.db.withTenant(tenant, async (c) => {
        const scan = await createScan(c, { imageDigest: digest(tenant), sbom: sbomFor(tenant === ALPHA ? 'Alpha' : 'Bravo'), source: 'test', requestedBy: 'test' });
        await executeScan(c, scan.id, index, new Date());
      });
    }
  });
  after(async () => t?.drop());

  it('every scanner table with tenant data has RLS enabled and forced with a tenant policy', async () => {
    const { rows } = await t.db.query(
      `select c.relname, c.relrowsecurity, c.relforcerowsecurity,
              exists (select 1 from pg_policies p where p.schemaname = 'scanner' and p.tablename = c.relname
                        and p.qual like '%current_setting(''app.tenant_id''%' and p.with_check like '%current_setting(''app.tenant_id''%') as policy
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'scanner' and c.relkind = 'r' order by c.relname`,
    );
    const outside = rows.filter((r) => !(r.relrowsecurity && r.relforcerowsecurity && r.policy)).map((r) => r.relname);
    assert.deepEqual(outside, ['advisories', 'jobs', 'webhook_routes']);
    assert.ok(rows.length >= 11);
  });

  it('a query that forgets its tenant filter still sees only its tenant', async () => {
    for (const tenant of [ALPHA, BRAVO]) {
      const tables = ['scans', 'findings', 'finding_history', 'unknowns', 'unknown_observations', 'sboms', 'id_counters'];
      for (const table of tables) {
        const { rows } = await t.db.withTenant(tenant, (c) => c.query(`select distinct tenant_id from scanner.${table}`));
        assert.deepEqual(rows.map((r) => r.tenant_id), table === 'sboms' ? [] : [tenant], `${tenant} ${table}`);
      }
    }
    const outside = await t.db.query('select count(*)::int as n from scanner.findings');
    assert.equal(outside.rows[0].n, 0);
  });

  it("a tenant session cannot write another tenant's rows", async () => {
    await assert.rejects(
      t.db.withTenant(ALPHA, (c) => c.query("insert into scanner.sboms (tenant_id, image_digest, sbom, registered_by) values ('tenant-bravo', 'sha256:x', '{}', 'evil')")),
      /row-level security/,
    );
    const upd = await t.db.withTenant(ALPHA, (c) => c.query("update scanner.findings set status = 'fixed' where tenant_id = 'tenant-bravo'"));
    assert.equal(upd.rowCount, 0);
  });
});
