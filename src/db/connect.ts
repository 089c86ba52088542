/**
 * Brings the database to a serving state, holding no more privilege than the job needs:
 *
 * - **embedded** (neither `database.url` nor `database.runtimeUrl`): tenantgate's own
 *   PostgreSQL under `database.dataDir`, started (or reused) and migrated — it is ours.
 * - **runtime only** (`database.runtimeUrl` without `database.url`): the runtime role alone;
 *   never an embedded server, never a migration; the schema must already be current.
 * - **migrator** (`database.url`): migrations run only when asked (`tenantgate migrate`,
 *   `--migrate`); the runtime role's URL is `database.runtimeUrl` or derived from it.
 *
 * Serving without migrating checks, as the runtime role, that every migration of this build
 * is applied, and otherwise stops with one line naming `tenantgate migrate`.
 */
import { resolve } from 'node:path';
import pg from 'pg';
import type { Config } from '../config/schema.ts';
import { TenantgateError } from '../contract/errors.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.ts';
import { loadOrCreateLocalSecrets, type LocalSecrets } from './local-secrets.ts';
import { migrate, readMigrations, type MigrateResult } from './migrate.ts';
import { withCredentials } from './urls.ts';

export interface PreparedDatabase {
  /** The migrator's URL; null when this process holds the runtime role only. */
  adminUrl: string | null;
  runtimeUrl: string;
  keyEncryptionKey: string;
  embedded: EmbeddedServer | null;
  migrations: MigrateResult | null;
  stop(): Promise<void>;
}

export interface PrepareOptions {
  cwd?: string;
  /** Apply migrations (`tenantgate migrate`, `--migrate`). The embedded default always migrates. */
  migrate?: boolean;
  /** Set the runtime role's password to the configured one (`migrate --reset-runtime-password`). */
  resetRuntimePassword?: boolean;
  onLog?: (line: string) => void;
  /** Use an embedded server that is already running on this data directory (CLI commands beside `up`). */
  reuseRunning?: boolean;
}

export type DatabaseMode = 'embedded' | 'runtime-only' | 'migrator';

export function databaseMode(config: Config): DatabaseMode {
  if (config.database.url) return 'migrator';
  return config.database.runtimeUrl ? 'runtime-only' : 'embedded';
}

/** The schema is behind this build (or unreadable by the runtime role): nothing can serve. */
export class SchemaOutdatedError extends TenantgateError {
  constructor(message: string) {
    super('schema_outdated', message);
  }
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

const MIGRATE_HINT = 'run `tenantgate migrate` with the migrator\'s DATABASE_URL';

/** As the runtime role: every migration this build ships is applied. */
export async function assertSchemaCurrent(runtimeUrl: string, connectTimeoutMs = 5_000): Promise<void> {
  const client = new pg.Client({ connectionString: runtimeUrl, connectionTimeoutMillis: connectTimeoutMs });
  await client.connect();
  try {
    let applied: Set<string>;
    try {
      applied = new Set((await client.query<{ id: string }>('select id from public.tenantgate_migrations')).rows.map((r) => r.id));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '42P01') throw new SchemaOutdatedError(`the database has no tenantgate schema yet: ${MIGRATE_HINT}`);
      if (code === '42501') throw new SchemaOutdatedError(`the runtime role cannot read public.tenantgate_migrations (a schema migrated by an older release): ${MIGRATE_HINT}`);
      throw err;
    }
    const all = readMigrations();
    const missing = all.filter((m) => !applied.has(m.id));
    if (missing.length > 0) {
      const at = all.filter((m) => applied.has(m.id)).pop()?.name ?? 'none';
      throw new SchemaOutdatedError(`the database schema is at migration ${at}, this build needs ${all[all.length - 1].name} (${missing.length} pending): ${MIGRATE_HINT}`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

function runtimeOnly(config: Config, options: PrepareOptions): PreparedDatabase {
  if (options.migrate) {
    throw new TenantgateError('config_invalid', 'migrating needs the migrator\'s connection: set database.url (DATABASE_URL); database.runtimeUrl is the runtime role\'s');
  }
  const keyEncryptionKey = config.secrets.keyEncryptionKey;
  if (!keyEncryptionKey) {
    throw new TenantgateError(
      'config_invalid',
      'secrets.keyEncryptionKey is not set: with an external database every instance must share it (TENANTGATE_SECRETS__KEY_ENCRYPTION_KEY)',
    );
  }
  return { adminUrl: null, runtimeUrl: config.database.runtimeUrl!, keyEncryptionKey, embedded: null, migrations: null, stop: async () => undefined };
}

export async function prepareDatabase(config: Config, options: PrepareOptions = {}): Promise<PreparedDatabase> {
  const mode = databaseMode(config);
  if (mode === 'runtime-only') {
    const prepared = runtimeOnly(config, options);
    await assertSchemaCurrent(prepared.runtimeUrl, config.database.connectTimeoutMs);
    return prepared;
  }
  const cwd = options.cwd ?? process.cwd();
  // `.tenantgate/secrets.json` holds what nobody configured; a fully configured host writes nothing.
  let localSecrets: LocalSecrets | null = null;
  const local = () => (localSecrets ??= loadOrCreateLocalSecrets(stateDir(config, cwd)));
  let embedded: EmbeddedServer | null = null;
  let adminUrl = config.database.url;
  if (!adminUrl && options.reuseRunning) {
    const candidate = `postgres://postgres:${encodeURIComponent(local().adminPassword)}@127.0.0.1:${config.database.embeddedPort}/postgres`;
    if (await reachable(candidate)) adminUrl = candidate;
  }
  const ours = mode === 'embedded';
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: resolve(cwd, config.database.dataDir),
      port: config.database.embeddedPort,
      password: local().adminPassword,
      rootStateDir: config.database.embeddedRootDir,
      onLog: options.onLog,
    });
    adminUrl = embedded.url;
  }
  // The runtime role's password: configured, or the one in its URL, or generated locally.
  const urlPassword = config.database.runtimeUrl ? decodeURIComponent(new URL(config.database.runtimeUrl).password) : '';
  const runtimePassword = config.database.runtimePassword ?? (urlPassword || local().runtimePassword);
  const runtimeUrl = config.database.runtimeUrl ?? withCredentials(adminUrl, config.database.runtimeRole, runtimePassword);
  let migrations: MigrateResult | null = null;
  try {
    if (ours || options.migrate) {
      migrations = await migrate({
        adminUrl,
        roles: { owner: config.database.ownerRole, runtime: config.database.runtimeRole },
        runtimePassword,
        // The embedded cluster is ours: keep the role's password in step with .tenantgate/.
        // Anyone else's server: only when asked.
        resetRuntimePassword: ours || options.resetRuntimePassword === true,
      });
    } else {
      await assertSchemaCurrent(runtimeUrl, config.database.connectTimeoutMs);
    }
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return {
    adminUrl,
    runtimeUrl,
    keyEncryptionKey: config.secrets.keyEncryptionKey ?? local().keyEncryptionKey,
    embedded,
    migrations,
    stop: async () => {
      await embedded?.stop();
    },
  };
}
