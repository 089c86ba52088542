/**
 * `npm test`: starts one throwaway embedded PostgreSQL for the whole run, creates the two
 * roles once, runs every test file with node's test runner (each file makes its own
 * database), then stops the cluster and removes its data directory.
 *
 *   node --import tsx test/run.ts [path-substring …]
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { provisionRoles } from '../src/db/roles.ts';
import { testRoles, TEST_RUNTIME_PASSWORD } from './support/env.ts';
import { freePort } from './support/ports.ts';

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

const root = join(import.meta.dirname, '..');
const filters = process.argv.slice(2);
const files = findTests(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((flt) => f.includes(flt)));
if (files.length === 0) {
  process.stderr.write(`no test files match ${filters.join(' ')}\n`);
  process.exit(1);
}

const base = mkdtempSync(join(tmpdir(), 'tenantgate-test-'));
// The cluster runs as an unprivileged OS user when we are root: it must reach its directory.
chmodSync(base, 0o755);
const port = await freePort();
const started = Date.now();
const server = await startEmbeddedPostgres({ dataDir: join(base, 'pg'), port, password: 'test-admin', ephemeral: true, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } }).catch((err: unknown) => {
  rmSync(base, { recursive: true, force: true });
  process.stderr.write(`test PostgreSQL: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
process.stdout.write(`# test PostgreSQL on port ${port} ready in ${Date.now() - started} ms\n`);

const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await provisionRoles(admin, testRoles, TEST_RUNTIME_PASSWORD, true);
await admin.end();

let exitCode = 1;
try {
  exitCode = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${process.env.TENANTGATE_TEST_CONCURRENCY ?? '2'}`, '--test-timeout=300000', ...files],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, TENANTGATE_TEST_ADMIN_URL: server.url, TENANTGATE_TEST_TMP: base },
      },
    );
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
} finally {
  await server.stop();
  rmSync(base, { recursive: true, force: true });
}
process.exit(exitCode);
