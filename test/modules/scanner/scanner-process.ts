/** Spawns a real `tenantgate scanner` process against a test database (for the queue tests). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestDatabase } from '../../support/database.ts';
import { freeBasePort } from '../../support/ports.ts';

export interface ScannerProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** SIGTERM and wait for exit (no-op when already gone). */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

const root = join(import.meta.dirname, '..', '..', '..');

export async function spawnScanner(t: TestDatabase, settings: Record<string, string | number>): Promise<ScannerProcess> {
  const base = await freeBasePort();
  const sets = Object.entries({
    'database.url': t.adminUrl,
    'database.runtimeUrl': t.runtimeUrl,
    'database.dataDir': join(t.stateDir, `scanner-${base}`, 'pg'),
    'secrets.keyEncryptionKey': t.keyEncryptionKey,
    'server.logLevel': 'warn',
    'telemetry.flushIntervalMs': 200,
    ...settings,
  }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  // The test runner's own variables are not configuration for the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TENANTGATE_')));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), '--port', String(base), 'scanner', ...sets], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scanner process did not start:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scanner process exited with ${code}:\n${out}`));
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    pid: child.pid!,
    output: () => out,
    stop: async () => {
      if (gone()) return;
      child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
