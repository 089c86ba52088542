/**
 * Platform demo data: alpha and bravo both hold environment `prod` (same id, different
 * records) plus one environment only they have. Every name carries the tenant's marker word
 * ("Alpha" / "Bravo") so a leak of the other tenant's data is visible at a glance.
 */
import type { SeedContext } from '../../demo/seed.ts';
import { createEnvironment } from './topology/environment-store.ts';
import { createTarget } from './topology/target-store.ts';

interface DemoTopology {
  tenant: string;
  marker: string;
  region: string;
  own: { id: string; name: string; stage: string };
}

const demo: DemoTopology[] = [
  { tenant: 'tenant-alpha', marker: 'Alpha', region: 'eu-west-1', own: { id: 'alpha-lab', name: 'Alpha Lab', stage: 'dev' } },
  { tenant: 'tenant-bravo', marker: 'Bravo', region: 'us-east-1', own: { id: 'bravo-edge', name: 'Bravo Edge', stage: 'staging' } },
];

export async function seedPlatformDemo({ db }: SeedContext): Promise<void> {
  for (const d of demo) {
    await db.withTenant(d.tenant, async (c) => {
      const lower = d.marker.toLowerCase();
      await createEnvironment(c, 'demo-seed', 'prod', {
        name: `${d.marker} Production`,
        description: `${d.marker} Corp production workloads`,
        region: d.region,
        stage: 'prod',
      });
      await createTarget(c, 'prod', 'web-1', { name: `${d.marker} web frontend`, kind: 'service', address: `https://web.${lower}.example` });
      await createTarget(c, 'prod', 'cluster-1', { name: `${d.marker} production cluster`, kind: 'cluster', address: `k8s://${lower}-prod` });
      await createEnvironment(c, 'demo-seed', d.own.id, {
        name: d.own.name,
        description: `${d.own.name}, only in ${d.marker}`,
        region: d.region,
        stage: d.own.stage,
      });
      await createTarget(c, d.own.id, 'registry', { name: `${d.marker} registry`, kind: 'registry', address: `registry.example/${lower}` });
    });
  }
}
