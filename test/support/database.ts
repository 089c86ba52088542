/**
 * A fresh, migrated database per test file on the run's PostgreSQL, with a runtime-role
 * handle and a config pointing at it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { validateConfig } from '../../src/config/load.ts';
import { withPolicyDefaults } from '../../src/rollout/policy/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { PreparedDatabase } from '../../src/db/connect.ts';
import { withCredentials, withDatabase } from '../../src/db/urls.ts';
import { testAdminUrl, testRoles, testTmp, TEST_RUNTIME_PASSWORD } from './env.ts';

export interface TestDatabase {
  name: string;
  adminUrl: string;
  runtimeUrl: string;
  keyEncryptionKey: string;
  stateDir: string;
  db: Database;
  prepared: PreparedDatabase;
  config(overrides?: Record<string, unknown>): Config;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tg_${randomBytes(6).toString('hex')}`;
  const serverUrl = testAdminUrl();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const adminUrl = withDatabase(serverUrl, name);
  await migrate({ adminUrl, roles: testRoles, runtimePassword: TEST_RUNTIME_PASSWORD });
  const runtimeUrl = withCredentials(adminUrl, testRoles.runtime, TEST_RUNTIME_PASSWORD);
  const keyEncryptionKey = randomBytes(32).toString('base64url');
  const stateDir = join(testTmp(), name);
  mkdirSync(stateDir, { recursive: true });
  const db = new Database(runtimeUrl, { max: 5 });
  const prepared: PreparedDatabase = { adminUrl, runtimeUrl, keyEncryptionKey, embedded: null, migrations: null, stop: async () => undefined };
  return {
    name,
    adminUrl,
    runtimeUrl,
    keyEncryptionKey,
    stateDir,
    db,
    prepared,
    config: (overrides = {}) => testConfig({ adminUrl, runtimeUrl, keyEncryptionKey, stateDir }, overrides),
    drop: async () => {
      await db.close().catch(() => undefined);
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function testConfig(
  db: { adminUrl: string | null; runtimeUrl: string; keyEncryptionKey: string; stateDir: string },
  overrides: Record<string, unknown> = {},
): Config {
  const tree: Record<string, any> = {
    server: { logLevel: 'silent', shutdownGraceMs: 2000 },
    database: { ...(db.adminUrl ? { url: db.adminUrl } : {}), runtimeUrl: db.runtimeUrl, dataDir: join(db.stateDir, 'pg'), poolMax: 5 },
    secrets: { keyEncryptionKey: db.keyEncryptionKey },
    telemetry: { flushIntervalMs: 200 },
    flags: { pollIntervalMs: 250 },
    demo: { seed: false },
  };
  for (const [path, value] of Object.entries(overrides)) {
    const parts = path.split('.');
    let node = tree;
    for (const p of parts.slice(0, -1)) node = node[p] ??= {};
    node[parts[parts.length - 1]] = value;
  }
  return withPolicyDefaults(validateConfig(tree));
}
