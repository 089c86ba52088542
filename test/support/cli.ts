/** The `tenantgate` command as a child process: one-shot runs and a long-running `up`. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
export const cliEntry = join(root, 'src', 'cli', 'main.ts');
// Resolved here: the child may run in a directory without node_modules.
const tsx = import.meta.resolve('tsx');

export function cliArgs(args: string[]): string[] {
  return ['--import', tsx, cliEntry, ...args];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args), {
      cwd: options.cwd ?? root,
      env: { ...process.env, DATABASE_URL: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `--set` arguments pointing a one-shot command at a test database (test/support/database.ts). */
export function databaseSets(t: { adminUrl: string; runtimeUrl: string; keyEncryptionKey: string; stateDir: string }): string[] {
  const sets = [`database.url=${t.adminUrl}`, `database.runtimeUrl=${t.runtimeUrl}`, `secrets.keyEncryptionKey=${t.keyEncryptionKey}`, `database.dataDir=${join(t.stateDir, 'pg')}`];
  return sets.flatMap((s) => ['--set', s]);
}

export interface RunningUp {
  child: ChildProcess;
  output(): string;
  ready: Promise<void>;
}

/** `tenantgate up …` in `cwd` on the embedded default; `ready` once it prints its table. */
export function startUp(cwd: string, args: string[]): RunningUp {
  const child = spawn(process.execPath, cliArgs(['up', ...args]), {
    cwd,
    env: { ...process.env, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not up in time:\n${out}`)), 120_000);
    const check = () => {
      if (out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was up:\n${out}`));
    });
  });
  return { child, output: () => out, ready };
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
