/**
 * Seeds demo data on an empty database, once. Components contribute seeders (tenants,
 * clients and users from the Authority; topology, scans and graphs from the modules).
 */
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/database.ts';
import type { DemoCredentials } from './credentials.ts';

export interface SeedContext {
  db: Database;
  config: Config;
  keyEncryptionKey: string;
  credentials: DemoCredentials;
}

export type DemoSeeder = (ctx: SeedContext) => Promise<void>;

/** Seeders in the order they run; components register theirs here. */
export const demoSeeders: { name: string; load: () => Promise<DemoSeeder> }[] = [];

const SEEDED_KEY = 'demo_seeded';

export async function isSeeded(db: Database): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from public.tenantgate_meta where key = $1', [SEEDED_KEY]);
  return rowCount === 1;
}

/** Runs every seeder and returns the credentials they generated; a no-op when already seeded. */
export async function seedDemo(ctx: Omit<SeedContext, 'credentials'>): Promise<DemoCredentials | null> {
  if (await isSeeded(ctx.db)) return null;
  const credentials: DemoCredentials = { clients: {}, users: {} };
  for (const seeder of demoSeeders) {
    const run = await seeder.load();
    await run({ ...ctx, credentials });
  }
  await ctx.db.query('insert into public.tenantgate_meta (key, value) values ($1, $2) on conflict (key) do nothing', [
    SEEDED_KEY,
    JSON.stringify({ at: new Date().toISOString(), seeders: demoSeeders.map((s) => s.name) }),
  ]);
  return credentials;
}
demoSeeders.push({ name: 'platform', load: async () => (await import('../modules/platform/demo-seed.ts')).seedPlatformDemo });
demoSeeders.push({ name: 'graph', load: async () => (await import('../modules/graph/demo-seed.ts')).seedGraphDemo });
demoSeeders.unshift({ name: 'authority', load: async () => (await import('../authority/demo-seed.ts')).seedAuthorityDemo });
demoSeeders.push({ name: 'scanner', load: async () => (await import('../modules/scanner/demo/seed-scanner-demo.ts')).seedScannerDemo });
