/**
 * A throwaway embedded PostgreSQL for one benchmark run: its own temporary data directory,
 * one migrated database, the runtime role's URL. `stop()` removes everything.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate, type Migration } from '../../src/db/migrate.ts';
import { withCredentials, withDatabase } from '../../src/db/urls.ts';
import { freePort } from '../../test/support/ports.ts';

export const benchRoles = { owner: 'tenantgate_owner', runtime: 'tenantgate_app' };
const RUNTIME_PASSWORD = 'bench-runtime';

export interface BenchDatabase {
  /** Superuser URL of the migrated database. */
  adminUrl: string;
  /** The runtime role (no BYPASSRLS, not the owner). */
  runtimeUrl: string;
  stop(): Promise<void>;
}

export async function startBenchDatabase(name: string, migrations?: Migration[]): Promise<BenchDatabase> {
  const base = mkdtempSync(join(tmpdir(), `tenantgate-bench-${name}-`));
  // The cluster runs as an unprivileged OS user when we are root: it must reach its directory.
  chmodSync(base, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: join(base, 'pg'), port: await freePort(), password: 'bench-admin', ephemeral: true });
  const stop = async () => {
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`create database ${name}_bench`);
    await admin.end();
    const adminUrl = withDatabase(server.url, `${name}_bench`);
    await migrate({ adminUrl, roles: benchRoles, runtimePassword: RUNTIME_PASSWORD, migrations });
    return { adminUrl, runtimeUrl: withCredentials(adminUrl, benchRoles.runtime, RUNTIME_PASSWORD), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
