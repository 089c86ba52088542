/**
 * `npm test`: starts one throwaway embedded PostgreSQL for the whole run, creates the two
 * roles once, runs every test file with node's test runner (each file makes its own
 * database), then stops the cluster and removes its data directory.
 *
 *   node --import tsx test/run.ts [path-substring …]
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startTestPostgres } from './support/test-postgres.ts';

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

const started = Date.now();
const server = await startTestPostgres().catch((err: unknown) => {
  process.stderr.write(`test PostgreSQL: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
process.stdout.write(`# test PostgreSQL on port ${server.port} ready in ${Date.now() - started} ms\n`);

// Per test and per file: the browser matrix files (test/e2e/console*.test.ts) run the whole
// Playwright suite on two projects, which takes minutes on two busy cores.
const testTimeoutMs = process.env.TENANTGATE_TEST_TIMEOUT_MS ?? '900000';

let exitCode = 1;
try {
  exitCode = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${process.env.TENANTGATE_TEST_CONCURRENCY ?? '2'}`, `--test-timeout=${testTimeoutMs}`, ...files],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, TENANTGATE_TEST_ADMIN_URL: server.url, TENANTGATE_TEST_TMP: server.base },
      },
    );
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
} finally {
  await server.stop();
}
process.exit(exitCode);
