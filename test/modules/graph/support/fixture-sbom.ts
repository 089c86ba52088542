/**
 * A synthetic graph for the Graph's own tests, independent of the demo data: alpha and bravo
 * ingest SBOMs that share packages (so equal node ids exist in both tenants) plus one package
 * only each has. Names and descriptions carry the tenant's marker word.
 */
import type { Database } from '../../../../src/db/database.ts';
import { readCycloneDxGraph } from '../../../../src/modules/graph/ingest/read-cyclonedx-graph.ts';
import { sbomIdFor, writeSbomGraph } from '../../../../src/modules/graph/store/write-sbom-graph.ts';

interface DemoPackage {
  ref: string;
  purl: string;
  name: string;
  dependsOn?: string[];
}

const shared = (marker: string): DemoPackage[] => [
  { ref: 'express', purl: 'pkg:npm/express@4.18.2', name: `${marker} express`, dependsOn: ['body-parser', 'cookie'] },
  { ref: 'body-parser', purl: 'pkg:npm/body-parser@1.20.1', name: `${marker} body-parser`, dependsOn: ['qs'] },
  { ref: 'cookie', purl: 'pkg:npm/cookie@0.5.0', name: `${marker} cookie` },
  { ref: 'qs', purl: 'pkg:npm/qs@6.11.0', name: `${marker} qs` },
  { ref: 'lodash', purl: 'pkg:npm/lodash@4.17.20', name: `${marker} lodash` },
];

/** The fixture SBOM of a tenant. */
export function demoSbom(tenant: 'tenant-alpha' | 'tenant-bravo'): Record<string, unknown> {
  const alpha = tenant === 'tenant-alpha';
  const marker = alpha ? 'Alpha' : 'Bravo';
  const image = alpha ? 'registry.example/alpha/web' : 'registry.example/bravo/api';
  const digest = alpha ? 'a'.repeat(64) : 'b'.repeat(64);
  const own: DemoPackage = alpha
    ? { ref: 'own', purl: 'pkg:npm/alpha-billing-client@2.1.0', name: 'Alpha billing client', dependsOn: ['lodash'] }
    : { ref: 'own', purl: 'pkg:npm/bravo-edge-agent@0.9.0', name: 'Bravo edge agent', dependsOn: ['qs'] };
  const packages = [...shared(marker), own];
  const root = { ref: 'root', purl: `pkg:oci/${image.split('/').pop()}@sha256%3A${digest}?repository_url=${image}`, name: image };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:00000000-0000-4000-8000-${alpha ? '00000000000a' : '00000000000b'}`,
    metadata: { component: { type: 'container', 'bom-ref': root.ref, name: root.name, purl: root.purl, description: `${marker} demo image` } },
    components: packages.map((p) => ({ type: 'library', 'bom-ref': p.ref, name: p.name, purl: p.purl, description: `${marker} Corp dependency` })),
    dependencies: [
      { ref: 'root', dependsOn: ['express', 'lodash', 'own'] },
      ...packages.filter((p) => p.dependsOn).map((p) => ({ ref: p.ref, dependsOn: p.dependsOn })),
    ],
  };
}

/** Ingests both tenants' fixture SBOMs. */
export async function seedGraphFixture(db: Database): Promise<void> {
  for (const tenant of ['tenant-alpha', 'tenant-bravo'] as const) {
    const sbom = demoSbom(tenant);
    await db.withTenant(tenant, (c) => writeSbomGraph(c, 'fixture', sbomIdFor(sbom), readCycloneDxGraph(sbom)));
  }
}
