/**
 * The demo's container images and their CycloneDX SBOMs, one source for every module: the
 * Scanner scans them (src/modules/scanner/demo) and the Graph ingests the same documents
 * (src/modules/graph/demo-seed.ts), so the demo graph is the graph of the scanned images.
 *
 * Alpha and bravo both hold `scan-0001` (different images); bravo alone holds `scan-0042`.
 * Image names carry the tenant's marker (`registry.example/alpha/…`), and so do the vendored
 * components without a package URL (the Scanner's unknowns). Both tenants' web images use the
 * same express stack (express, body-parser, cookie, qs, all without advisories), so the same
 * node ids exist in both graphs, each tenant with its own record.
 */

export type DemoTenantId = 'tenant-alpha' | 'tenant-bravo';

export interface DemoImage {
  tenant: DemoTenantId;
  /** The scan number (`scan-0001`, `scan-0042`). */
  seq: number;
  imageName: string;
  imageDigest: string;
  sbom: Record<string, unknown>;
}

interface DemoComponent {
  ref: string;
  name: string;
  version: string;
  purl?: string;
  dependsOn?: string[];
}

interface DemoImageSpec {
  seq: number;
  imageName: string;
  digestSeed: string;
  components: DemoComponent[];
}

const lib = (ref: string, name: string, version: string, purl?: string, dependsOn?: string[]): DemoComponent => ({ ref, name, version, ...(purl ? { purl } : {}), ...(dependsOn ? { dependsOn } : {}) });

/** The express stack both tenants' web images ship. */
const expressStack = (): DemoComponent[] => [
  lib('express', 'express', '4.19.2', 'pkg:npm/express@4.19.2', ['body-parser', 'cookie', 'qs']),
  lib('body-parser', 'body-parser', '1.20.2', 'pkg:npm/body-parser@1.20.2', ['qs']),
  lib('cookie', 'cookie', '0.6.0', 'pkg:npm/cookie@0.6.0'),
  lib('qs', 'qs', '6.11.0', 'pkg:npm/qs@6.11.0'),
];

const specs: Record<DemoTenantId, { marker: string; images: DemoImageSpec[] }> = {
  'tenant-alpha': {
    marker: 'Alpha',
    images: [
      {
        seq: 1,
        imageName: 'registry.example/alpha/web',
        digestSeed: 'alpha/web',
        components: [
          lib('lodash', 'lodash', '4.17.20', 'pkg:npm/lodash@4.17.20'),
          lib('log4j-core', 'log4j-core', '2.14.1', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'),
          ...expressStack(),
          lib('billing-sdk', 'Alpha Billing SDK', '3.2.0', undefined, ['lodash']),
          lib('rails', 'rails', '7.0.4', 'pkg:gem/rails@7.0.4'),
        ],
      },
      {
        seq: 2,
        imageName: 'registry.example/alpha/reports',
        digestSeed: 'alpha/reports',
        components: [
          lib('django', 'Django', '4.2.1', 'pkg:pypi/django@4.2.1'),
          lib('requests', 'requests', '2.28.0', 'pkg:pypi/requests@2.28.0'),
          lib('pyyaml', 'PyYAML', '6.0.1', 'pkg:pypi/pyyaml@6.0.1'),
          lib('billing-sdk', 'Alpha Billing SDK', '3.2.0'),
        ],
      },
    ],
  },
  'tenant-bravo': {
    marker: 'Bravo',
    images: [
      {
        seq: 1,
        imageName: 'registry.example/bravo/web',
        digestSeed: 'bravo/web',
        components: [
          lib('minimist', 'minimist', '1.2.5', 'pkg:npm/minimist@1.2.5'),
          lib('jsonwebtoken', 'jsonwebtoken', '8.5.1', 'pkg:npm/jsonwebtoken@8.5.1'),
          ...expressStack(),
          lib('openssl', 'openssl', '3.0.11-1~deb12u1', 'pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64'),
          lib('telemetry-agent', 'Bravo Telemetry Agent', '0.9.4'),
        ],
      },
      {
        seq: 42,
        imageName: 'registry.example/bravo/edge-gateway',
        digestSeed: 'bravo/edge-gateway',
        components: [
          lib('x-net', 'golang.org/x/net', 'v0.10.0', 'pkg:golang/golang.org/x/net@v0.10.0'),
          lib('grpc', 'google.golang.org/grpc', 'v1.56.2', 'pkg:golang/google.golang.org/grpc@v1.56.2', ['x-net']),
          lib('glibc', 'glibc', '2.36-9+deb12u1', 'pkg:deb/debian/glibc@2.36-9+deb12u1'),
          lib('edge-firmware', 'Bravo Edge Firmware', 'r17'),
        ],
      },
    ],
  },
};

/** A stable, tenant-specific image digest for a demo image. */
function demoDigest(seed: string): string {
  return `sha256:${Buffer.from(seed.padEnd(32, '#')).toString('hex').slice(0, 64)}`;
}

function sbomOf(spec: DemoImageSpec, marker: string, imageDigest: string): Record<string, unknown> {
  const repository = spec.imageName;
  const purl = `pkg:oci/${repository.split('/').pop()}@${imageDigest.replace(':', '%3A')}?repository_url=${repository}`;
  const direct = spec.components.filter((c) => !spec.components.some((o) => o.dependsOn?.includes(c.ref))).map((c) => c.ref);
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    metadata: { component: { type: 'container', 'bom-ref': 'image', name: spec.imageName, purl, description: `${marker} demo image` } },
    components: spec.components.map((c) => ({
      type: 'library',
      'bom-ref': c.ref,
      name: c.name,
      version: c.version,
      ...(c.purl ? { purl: c.purl } : {}),
      description: `${marker} ${spec.imageName.split('/').pop()} dependency`,
    })),
    dependencies: [{ ref: 'image', dependsOn: direct }, ...spec.components.filter((c) => c.dependsOn).map((c) => ({ ref: c.ref, dependsOn: c.dependsOn }))],
  };
}

/** Every demo image of `tenant`, in scan order. */
export function demoImages(tenant: DemoTenantId): DemoImage[] {
  const { marker, images } = specs[tenant];
  return images.map((spec) => {
    const imageDigest = demoDigest(spec.digestSeed);
    return { tenant, seq: spec.seq, imageName: spec.imageName, imageDigest, sbom: sbomOf(spec, marker, imageDigest) };
  });
}

export const demoTenants: readonly { tenant: DemoTenantId; marker: string }[] = [
  { tenant: 'tenant-alpha', marker: 'Alpha' },
  { tenant: 'tenant-bravo', marker: 'Bravo' },
];
