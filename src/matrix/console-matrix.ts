/**
 * `tenantgate console-matrix run`: the browser tenant matrix (playwright.config.ts,
 * test/e2e/console) against a live console. Provisions the synthetic tenants and users
 * (console-fixtures.ts), runs Playwright Test on desktop and mobile against them, removes
 * them again, and leaves in the output directory the HTML report, JUnit, Playwright's JSON,
 * a run summary and `manifest.sha256` over every file (`sha256sum -c` verifies it). A setup
 * failure is itself a failed JUnit case, so a broken deployment can never come out green.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { newConsoleRunId, provisionConsoleMatrix, removeConsoleMatrix, type AdminCredential, type ConsoleMatrixFixtures } from './console-fixtures.ts';

export const CONSOLE_MATRIX_FORMAT = 'tenantgate-console-matrix/1';
export const CONSOLE_MATRIX_PROJECTS = ['desktop', 'mobile'] as const;
/** Files and folders a run writes into its directory (a rerun replaces exactly these). */
export const consoleMatrixOutputs = { junit: 'junit.xml', json: 'results.json', html: 'html-report', results: 'test-results', summary: 'console-matrix.json', manifest: 'manifest.sha256' } as const;

const repoRoot = resolve(import.meta.dirname, '../..');

export interface ConsoleMatrixOptions {
  gateway: string;
  admin: AdminCredential;
  out: string;
  /** Stop after this many failed cases (0: run every case). */
  maxFailures?: number;
  workers?: number;
  tenantParameter?: string;
  /** Where Playwright's output goes (default: this process's stdout and stderr). */
  stdio?: 'inherit' | 'ignore';
  /** Extra environment for the Playwright run. */
  env?: Record<string, string>;
}

export interface ConsoleMatrixSummary {
  format: typeof CONSOLE_MATRIX_FORMAT;
  gateway: string;
  runId: string;
  tenants: string[];
  users: string[];
  startedAt: string;
  finishedAt: string;
  /** Playwright's exit code (null when setup failed before it ran). */
  playwrightExit: number | null;
  setupError: string | null;
  /** Records that could not be removed afterwards. */
  cleanupProblems: string[];
  projects: readonly string[];
}

export interface ConsoleMatrixResult {
  dir: string;
  summary: ConsoleMatrixSummary;
  manifest: string;
  /** True when Playwright ran and every case passed, setup and removal included. */
  passed: boolean;
}

const xml = (s: string) => s.replace(/[<>&'"\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? '');

function playwrightCli(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@playwright/test/package.json')), 'cli.js');
}

function runPlaywright(options: ConsoleMatrixOptions, fixturesFile: string, dir: string): Promise<number> {
  let cli: string;
  try {
    cli = playwrightCli();
  } catch {
    throw new Error('@playwright/test is not installed: run `npm ci` in the tenantgate checkout (it is a development dependency)');
  }
  return new Promise((resolveExit, reject) => {
    const child = spawn(process.execPath, [cli, 'test', '--config', join(repoRoot, 'playwright.config.ts')], {
      cwd: repoRoot,
      stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'],
      env: {
        ...process.env,
        ...options.env,
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
        TENANTGATE_CONSOLE_FIXTURES: fixturesFile,
        TENANTGATE_CONSOLE_OUT: dir,
        TENANTGATE_CONSOLE_MAX_FAILURES: String(options.maxFailures ?? 0),
        ...(options.workers ? { TENANTGATE_CONSOLE_WORKERS: String(options.workers) } : {}),
      },
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolveExit(code ?? (signal ? 1 : 0));
    });
  });
}

function listFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listFiles(path, root));
    else out.push(relative(root, path).split('\\').join('/'));
  }
  return out;
}

/** sha256sum-format manifest over every file in `dir` except the manifest itself. */
export function writeManifest(dir: string): string {
  const lines = listFiles(dir)
    .filter((f) => f !== consoleMatrixOutputs.manifest)
    .map((f) => `${createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')}  ${f}`);
  const manifest = lines.join('\n') + '\n';
  writeFileSync(join(dir, consoleMatrixOutputs.manifest), manifest);
  return manifest;
}

function setupFailureJunit(gateway: string, message: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tenantgate console matrix" tests="1" failures="1">`,
    `  <testsuite name="setup" hostname="${xml(gateway)}" tests="1" failures="1" errors="0" skipped="0">`,
    `    <testcase classname="setup" name="provision the synthetic tenants and users through the admin and module APIs">`,
    `      <failure message="${xml(message.slice(0, 500))}">${xml(message)}</failure>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export async function runConsoleMatrix(options: ConsoleMatrixOptions): Promise<ConsoleMatrixResult> {
  const dir = resolve(options.out);
  mkdirSync(dir, { recursive: true });
  for (const name of Object.values(consoleMatrixOutputs)) rmSync(join(dir, name), { recursive: true, force: true });
  const gateway = options.gateway.replace(/\/$/, '');
  const runId = newConsoleRunId();
  const startedAt = new Date().toISOString();
  // The fixtures file holds the synthetic users' passwords: private, outside the evidence, removed afterwards.
  const secretDir = mkdtempSync(join(tmpdir(), 'tenantgate-console-matrix-'));
  let fixtures: ConsoleMatrixFixtures | null = null;
  let setupError: string | null = null;
  let playwrightExit: number | null = null;
  let cleanupProblems: string[] = [];
  try {
    try {
      fixtures = await provisionConsoleMatrix(gateway, options.admin, runId, options.tenantParameter);
    } catch (err) {
      setupError = (err as Error).message;
    }
    if (fixtures) {
      const file = join(secretDir, 'fixtures.json');
      writeFileSync(file, JSON.stringify(fixtures, null, 2) + '\n', { mode: 0o600 });
      chmodSync(file, 0o600);
      playwrightExit = await runPlaywright(options, file, dir);
      if (!existsSync(join(dir, consoleMatrixOutputs.junit))) setupError = `Playwright exited ${playwrightExit} without writing ${consoleMatrixOutputs.junit}`;
    }
  } finally {
    rmSync(secretDir, { recursive: true, force: true });
    cleanupProblems = await removeConsoleMatrix(gateway, options.admin, runId, options.tenantParameter).catch((err: unknown) => [`removing run ${runId}: ${(err as Error).message}`]);
  }
  if (setupError) writeFileSync(join(dir, consoleMatrixOutputs.junit), setupFailureJunit(gateway, setupError));
  const summary: ConsoleMatrixSummary = {
    format: CONSOLE_MATRIX_FORMAT,
    gateway,
    runId,
    tenants: fixtures ? [fixtures.a.id, fixtures.b.id] : [],
    users: fixtures ? Object.values(fixtures.users).map((u) => u.username) : [],
    startedAt,
    finishedAt: new Date().toISOString(),
    playwrightExit,
    setupError,
    cleanupProblems,
    projects: CONSOLE_MATRIX_PROJECTS,
  };
  writeFileSync(join(dir, consoleMatrixOutputs.summary), JSON.stringify(summary, null, 2) + '\n');
  const manifest = writeManifest(dir);
  return { dir, summary, manifest, passed: setupError === null && playwrightExit === 0 && cleanupProblems.length === 0 };
}
