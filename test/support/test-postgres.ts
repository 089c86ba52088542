/**
 * The throwaway embedded PostgreSQL a test run shares: one cluster in a temporary directory,
 * the two roles created once. `test/run.ts` starts it for `npm test`; the browser matrix's
 * global setup starts one when `npx playwright test` runs on its own.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { provisionRoles } from '../../src/db/roles.ts';
import { testRoles, TEST_RUNTIME_PASSWORD } from './env.ts';
import { freePort } from './ports.ts';

export interface TestPostgres {
  /** Admin connection URL (TENANTGATE_TEST_ADMIN_URL). */
  url: string;
  /** Temporary directory of the run (TENANTGATE_TEST_TMP). */
  base: string;
  port: number;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const base = mkdtempSync(join(tmpdir(), 'tenantgate-test-'));
  // The cluster runs as an unprivileged OS user when we are root: it must reach its directory.
  chmodSync(base, 0o755);
  const port = await freePort();
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    server = await startEmbeddedPostgres({ dataDir: join(base, 'pg'), port, password: 'test-admin', ephemeral: true, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
  } catch (err) {
    rmSync(base, { recursive: true, force: true });
    throw err;
  }
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await provisionRoles(admin, testRoles, TEST_RUNTIME_PASSWORD, true);
  await admin.end();
  return {
    url: server.url,
    base,
    port,
    stop: async () => {
      await server.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
