/**
 * Graph demo data: each tenant's graph is built from the SBOMs of its demo scans (the shared
 * demo images, src/demo/demo-images.ts), ingested as an SBOM posted to the Graph would be.
 * Both tenants' web images ship the same express stack, so equal node ids exist in both
 * tenants; image names and descriptions carry the tenant's marker, so a leak of the other
 * tenant's graph is visible.
 */
import { demoImages, demoTenants } from '../../demo/demo-images.ts';
import type { SeedContext } from '../../demo/seed.ts';
import { readCycloneDxGraph } from './ingest/read-cyclonedx-graph.ts';
import { sbomIdFor, writeSbomGraph } from './store/write-sbom-graph.ts';

export async function seedGraphDemo({ db }: SeedContext): Promise<void> {
  for (const { tenant } of demoTenants) {
    await db.withTenant(tenant, async (c) => {
      for (const image of demoImages(tenant)) await writeSbomGraph(c, 'demo-seed', sbomIdFor(image.sbom), readCycloneDxGraph(image.sbom));
    });
  }
}
