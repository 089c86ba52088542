/**
 * The demo graph is the graph of the demo scans: every component of every scanned image that
 * has a package URL is a node of its tenant's graph, each image is the root its components
 * hang from, and the web images of both tenants share node ids (each with its own record).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoImages } from '../../src/demo/demo-images.ts';
import { seedGraphDemo } from '../../src/modules/graph/demo-seed.ts';
import { canonicalPurl, nodeIdForPurl, readCycloneDxGraph } from '../../src/modules/graph/ingest/read-cyclonedx-graph.ts';
import { seedScannerDemo } from '../../src/modules/scanner/demo/seed-scanner-demo.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('demo graph from the demo scans\' SBOMs', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    const seed = { db: t.db, config: t.config(), keyEncryptionKey: t.keyEncryptionKey, credentials: { clients: {}, users: {} } };
    await seedScannerDemo(seed);
    await seedGraphDemo(seed);
  });
  after(async () => t?.drop());

  for (const tenant of ['tenant-alpha', 'tenant-bravo'] as const) {
    it(`${tenant}: the graph's nodes are the purl'd components of the scanned SBOMs`, async () => {
      const scanned = await t.db.withTenant(tenant, async (c) => {
        const { rows } = await c.query<{ image_digest: string; sbom: any; image_name: string }>(
          'select s.image_digest, s.image_name, b.sbom from scanner.scans s join scanner.sboms b on b.image_digest = s.image_digest order by s.seq',
        );
        return rows;
      });
      assert.deepEqual(scanned.map((r) => r.image_name), demoImages(tenant).map((i) => i.imageName));
      const expected = new Set<string>();
      for (const r of scanned) {
        const id = (purl: string) => nodeIdForPurl(canonicalPurl(purl)!);
        expected.add(id(r.sbom.metadata.component.purl));
        for (const c of r.sbom.components) if (c.purl) expected.add(id(c.purl));
      }
      const nodes = await t.db.withTenant(tenant, (c) => c.query<{ id: string }>('select id from graph.nodes'));
      assert.deepEqual(new Set(nodes.rows.map((n) => n.id)), expected);
      for (const r of scanned) {
        const root = readCycloneDxGraph(r.sbom).subject!;
        const { rows } = await t.db.withTenant(tenant, (c) => c.query('select count(*)::int as n from graph.edges where from_id = $1', [root]));
        assert.ok(rows[0].n >= 2, `${r.image_name} has its dependencies`);
      }
    });
  }

  it('both tenants hold the express stack under the same node ids, each its own record', async () => {
    const express = nodeIdForPurl('pkg:npm/express@4.19.2');
    const read = (tenant: string) => t.db.withTenant(tenant, (c) => c.query('select description from graph.nodes where id = $1', [express]));
    assert.deepEqual((await read('tenant-alpha')).rows, [{ description: 'Alpha web dependency' }]);
    assert.deepEqual((await read('tenant-bravo')).rows, [{ description: 'Bravo web dependency' }]);
  });
});
