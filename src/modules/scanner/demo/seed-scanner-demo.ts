/**
 * Scanner demo data: alpha and bravo both hold scan `scan-0001`, `finding-0001` and
 * `unknown-0001` (same ids, different records); bravo alone holds `scan-0042`. Scans run
 * through the real engine against the bundled advisories, so every finding is genuine.
 * Image names and vendored component names carry the tenant's marker ("Alpha" / "Bravo").
 */
import type { SeedContext } from '../../../demo/seed.ts';
import { loadBundledAdvisories } from '../advisories/load-bundled-dataset.ts';
import { syncAdvisories } from '../advisories/sync-advisories.ts';
import { buildAdvisoryIndex } from '../engine/advisory-index.ts';
import { executeScan } from '../engine/execute-scan.ts';
import { markJobDoneInline } from '../queue/job-store.ts';
import { changeFindingStatus } from '../store/finding-store.ts';
import { registerSbom } from '../store/sbom-store.ts';
import { createScan } from '../store/scan-store.ts';

interface DemoScan {
  seq: number;
  imageName: string;
  digestSeed: string;
  components: object[];
}

interface DemoTenant {
  tenant: string;
  marker: string;
  triager: string;
  scans: DemoScan[];
}

const lib = (name: string, version: string, purl?: string) => ({ type: 'library', name, version, ...(purl ? { purl } : {}) });

const demo: DemoTenant[] = [
  {
    tenant: 'tenant-alpha',
    marker: 'Alpha',
    triager: 'alice',
    scans: [
      {
        seq: 1,
        imageName: 'registry.example/alpha/web',
        digestSeed: 'alpha/web',
        components: [
          lib('lodash', '4.17.20', 'pkg:npm/lodash@4.17.20'),
          lib('log4j-core', '2.14.1', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'),
          lib('express', '4.19.2', 'pkg:npm/express@4.19.2'),
          lib('Alpha Billing SDK', '3.2.0'),
          lib('rails', '7.0.4', 'pkg:gem/rails@7.0.4'),
        ],
      },
      {
        seq: 2,
        imageName: 'registry.example/alpha/reports',
        digestSeed: 'alpha/reports',
        components: [
          lib('Django', '4.2.1', 'pkg:pypi/django@4.2.1'),
          lib('requests', '2.28.0', 'pkg:pypi/requests@2.28.0'),
          lib('PyYAML', '6.0.1', 'pkg:pypi/pyyaml@6.0.1'),
          lib('Alpha Billing SDK', '3.2.0'),
        ],
      },
    ],
  },
  {
    tenant: 'tenant-bravo',
    marker: 'Bravo',
    triager: 'bob',
    scans: [
      {
        seq: 1,
        imageName: 'registry.example/bravo/web',
        digestSeed: 'bravo/web',
        components: [
          lib('minimist', '1.2.5', 'pkg:npm/minimist@1.2.5'),
          lib('jsonwebtoken', '8.5.1', 'pkg:npm/jsonwebtoken@8.5.1'),
          lib('openssl', '3.0.11-1~deb12u1', 'pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64'),
          lib('Bravo Telemetry Agent', '0.9.4'),
        ],
      },
      {
        seq: 42,
        imageName: 'registry.example/bravo/edge-gateway',
        digestSeed: 'bravo/edge-gateway',
        components: [
          lib('golang.org/x/net', 'v0.10.0', 'pkg:golang/golang.org/x/net@v0.10.0'),
          lib('google.golang.org/grpc', 'v1.56.2', 'pkg:golang/google.golang.org/grpc@v1.56.2'),
          lib('glibc', '2.36-9+deb12u1', 'pkg:deb/debian/glibc@2.36-9+deb12u1'),
          lib('Bravo Edge Firmware', 'r17'),
        ],
      },
    ],
  },
];

/** A stable, tenant-specific image digest for a demo image. */
function demoDigest(seed: string): string {
  return `sha256:${Buffer.from(seed.padEnd(32, '#')).toString('hex').slice(0, 64)}`;
}

export async function seedScannerDemo({ db }: SeedContext): Promise<void> {
  const advisories = loadBundledAdvisories();
  await syncAdvisories(db, advisories);
  const index = buildAdvisoryIndex(advisories);
  for (const d of demo) {
    await db.withTenant(d.tenant, async (c) => {
      for (const s of d.scans) {
        const imageDigest = demoDigest(s.digestSeed);
        const sbom = {
          bomFormat: 'CycloneDX',
          specVersion: '1.5',
          metadata: { component: { type: 'container', name: s.imageName, description: `${d.marker} demo image` } },
          components: s.components,
        };
        await registerSbom(c, imageDigest, sbom, 'demo-seed');
        const scan = await createScan(c, { imageDigest, imageName: s.imageName, source: 'demo-seed', requestedBy: 'demo-seed', seq: s.seq });
        await executeScan(c, scan.id, index, new Date());
        await markJobDoneInline(c, d.tenant, scan.id, 'demo-seed');
      }
      await changeFindingStatus(c, 'finding-0001', {
        status: 'under_review',
        note: `${d.marker} AppSec is assessing exposure`,
        actor: d.triager,
        client: 'stellaops-console',
      });
    });
  }
}
