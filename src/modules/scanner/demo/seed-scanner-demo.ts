/**
 * Scanner demo data: alpha and bravo both hold scan `scan-0001`, `finding-0001` and
 * `unknown-0001` (same ids, different records); bravo alone holds `scan-0042`. Scans run
 * through the real engine against the bundled advisories, so every finding is genuine.
 * Image names and vendored component names carry the tenant's marker ("Alpha" / "Bravo").
 * The images and their SBOMs are the demo's shared ones (src/demo/demo-images.ts), which the
 * Graph ingests too.
 */
import { demoImages, demoTenants, type DemoTenantId } from '../../../demo/demo-images.ts';
import type { SeedContext } from '../../../demo/seed.ts';
import { loadBundledAdvisories } from '../advisories/load-bundled-dataset.ts';
import { syncAdvisories } from '../advisories/sync-advisories.ts';
import { buildAdvisoryIndex } from '../engine/advisory-index.ts';
import { executeScan } from '../engine/execute-scan.ts';
import { markJobDoneInline } from '../queue/job-store.ts';
import { changeFindingStatus } from '../store/finding-store.ts';
import { registerSbom } from '../store/sbom-store.ts';
import { createScan } from '../store/scan-store.ts';

/** Who triages `finding-0001` in each demo tenant. */
const triager: Record<DemoTenantId, string> = { 'tenant-alpha': 'alice', 'tenant-bravo': 'bob' };

export async function seedScannerDemo({ db }: SeedContext): Promise<void> {
  const advisories = loadBundledAdvisories();
  await syncAdvisories(db, advisories);
  const index = buildAdvisoryIndex(advisories);
  for (const { tenant, marker } of demoTenants) {
    await db.withTenant(tenant, async (c) => {
      for (const image of demoImages(tenant)) {
        await registerSbom(c, image.imageDigest, image.sbom, 'demo-seed');
        const scan = await createScan(c, { imageDigest: image.imageDigest, imageName: image.imageName, source: 'demo-seed', requestedBy: 'demo-seed', seq: image.seq });
        await executeScan(c, scan.id, index, new Date());
        await markJobDoneInline(c, tenant, scan.id, 'demo-seed');
      }
      await changeFindingStatus(c, 'finding-0001', {
        status: 'under_review',
        note: `${marker} AppSec is assessing exposure`,
        actor: triager[tenant],
        client: 'stellaops-console',
      });
    });
  }
}
