/**
 * Seeds demo data on an empty database, once. Components provide seeders (tenants,
 * clients and users from the Authority; topology, scans and graphs from the modules);
 * the startup code (src/components.ts) names them and their order.
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

export interface NamedSeeder {
  name: string;
  seed: DemoSeeder;
}

const SEEDED_KEY = 'demo_seeded';

export async function isSeeded(db: Database): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from public.tenantgate_meta where key = $1', [SEEDED_KEY]);
  return rowCount === 1;
}

/** Runs the seeders in order and returns the credentials they generated; a no-op when already seeded. */
export async function seedDemo(seeders: readonly NamedSeeder[], ctx: Omit<SeedContext, 'credentials'>): Promise<DemoCredentials | null> {
  if (await isSeeded(ctx.db)) return null;
  const credentials: DemoCredentials = { clients: {}, users: {} };
  for (const seeder of seeders) await seeder.seed({ ...ctx, credentials });
  await ctx.db.query('insert into public.tenantgate_meta (key, value) values ($1, $2) on conflict (key) do nothing', [
    SEEDED_KEY,
    JSON.stringify({ at: new Date().toISOString(), seeders: seeders.map((s) => s.name) }),
  ]);
  return credentials;
}
