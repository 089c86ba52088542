/**
 * Brings the database to a serving state: the embedded default or DATABASE_URL, migrated,
 * with the runtime role's URL derived and its safety checked by the caller.
 */
import { resolve } from 'node:path';
import pg from 'pg';
import type { Config } from '../config/schema.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.ts';
import { loadOrCreateLocalSecrets } from './local-secrets.ts';
import { migrate, type MigrateResult } from './migrate.ts';
import { withCredentials } from './urls.ts';

export interface PreparedDatabase {
  adminUrl: string;
  runtimeUrl: string;
  keyEncryptionKey: string;
  embedded: EmbeddedServer | null;
  migrations: MigrateResult | null;
  stop(): Promise<void>;
}

export interface PrepareOptions {
  cwd?: string;
  /** Run migrations (true for `up` and single components started with --migrate). */
  migrate?: boolean;
  onLog?: (line: string) => void;
  /** Use an embedded server that is already running on this data directory (CLI commands beside `up`). */
  reuseRunning?: boolean;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function stateDir(config: Config, cwd = process.cwd()): string {
  return resolve(cwd, config.database.dataDir, '..');
}

export async function prepareDatabase(config: Config, options: PrepareOptions = {}): Promise<PreparedDatabase> {
  const cwd = options.cwd ?? process.cwd();
  const local = loadOrCreateLocalSecrets(stateDir(config, cwd));
  let embedded: EmbeddedServer | null = null;
  let adminUrl = config.database.url;
  if (!adminUrl && options.reuseRunning) {
    const candidate = `postgres://postgres:${encodeURIComponent(local.adminPassword)}@127.0.0.1:${config.database.embeddedPort}/postgres`;
    if (await reachable(candidate)) adminUrl = candidate;
  }
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: resolve(cwd, config.database.dataDir),
      port: config.database.embeddedPort,
      password: local.adminPassword,
      onLog: options.onLog,
    });
    adminUrl = embedded.url;
  }
  const runtimePassword = config.database.runtimePassword ?? local.runtimePassword;
  const runtimeUrl = config.database.runtimeUrl ?? withCredentials(adminUrl, config.database.runtimeRole, runtimePassword);
  let migrations: MigrateResult | null = null;
  try {
    if (options.migrate !== false) {
      migrations = await migrate({
        adminUrl,
        roles: { owner: config.database.ownerRole, runtime: config.database.runtimeRole },
        runtimePassword,
        // The embedded cluster is ours: keep the role's password in step with .tenantgate/.
        resetRuntimePassword: embedded !== null || config.database.runtimePassword !== undefined,
      });
    }
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return {
    adminUrl,
    runtimeUrl,
    keyEncryptionKey: config.secrets.keyEncryptionKey ?? local.keyEncryptionKey,
    embedded,
    migrations,
    stop: async () => {
      await embedded?.stop();
    },
  };
}
