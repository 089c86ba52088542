/**
 * One PostgreSQL cluster run from the packaged binaries: `initdb` once, then the server as a
 * child process. As root both run as the unprivileged user; the superuser password reaches
 * initdb through a file in a private directory (0700, that user's), removed on every path.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostgresBinaries } from './binaries.ts';
import type { RunAs } from './run-as.ts';

export interface ClusterLog {
  (line: string): void;
}

function spawnOptions(who: RunAs | null): SpawnOptions {
  // English messages: readiness is read off the server's log.
  const env = { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' };
  return { env, stdio: ['ignore', 'pipe', 'pipe'], ...(who ? { uid: who.uid, gid: who.gid } : {}) };
}

function describeSpawnError(binary: string, err: NodeJS.ErrnoException, who: RunAs | null): string {
  const as = who ? ` as user ${who.name}` : '';
  return `could not run ${binary}${as}: ${err.code ?? err.message}`;
}

/** A temporary password file only `who` (or tenantgate's own user) can read; `remove` it. */
function passwordFile(password: string, who: RunAs | null): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tenantgate-initdb-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const path = join(dir, 'pwfile');
    writeFileSync(path, password + '\n', { mode: 0o600, flag: 'wx' });
    if (who) {
      chownSync(path, who.uid, who.gid);
      chownSync(dir, who.uid, who.gid);
    }
    return { path, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Creates the cluster in `dataDir` (which exists, empty, owned by the server's user). */
export async function initCluster(binaries: PostgresBinaries, options: { dataDir: string; password: string; who: RunAs | null; flags: string[]; onLog?: ClusterLog }): Promise<void> {
  const pw = passwordFile(options.password, options.who);
  // The process may end while initdb runs (a signal handler calling exit): no password stays behind.
  process.once('exit', pw.remove);
  try {
    await new Promise<void>((resolvePromise, reject) => {
      const child = spawn(
        binaries.initdb,
        [`--pgdata=${options.dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pw.path}`, ...options.flags],
        spawnOptions(options.who),
      );
      let output = '';
      const collect = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        output += text;
        options.onLog?.(text);
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      child.once('error', (err) => reject(new Error(describeSpawnError(binaries.initdb, err, options.who))));
      child.once('close', (code, signal) => {
        if (code === 0) resolvePromise();
        else reject(new Error(`initdb failed (${signal ?? `exit ${code}`}): ${lastLines(output)}`));
      });
    });
  } finally {
    process.removeListener('exit', pw.remove);
    pw.remove();
  }
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' / ') || 'no output';
}

export interface RunningCluster {
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts the server on `port` and resolves once it accepts connections. */
export async function startCluster(
  binaries: PostgresBinaries,
  options: { dataDir: string; port: number; who: RunAs | null; settings: Record<string, string>; onLog?: ClusterLog; readyTimeoutMs?: number },
): Promise<RunningCluster> {
  const args = ['-D', options.dataDir, '-p', String(options.port), ...Object.entries(options.settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const child: ChildProcess = spawn(binaries.postgres, args, spawnOptions(options.who));
  let exited = false;
  const exit = new Promise<void>((r) => child.once('close', () => {
    exited = true;
    r();
  }));
  let log = '';
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      reject(new Error(`PostgreSQL did not accept connections within ${(options.readyTimeoutMs ?? 60_000) / 1000} s: ${lastLines(log)}`));
    }, options.readyTimeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      options.onLog?.(text);
      if (log.length < 64_000) log += text;
      if (text.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(describeSpawnError(binaries.postgres, err, options.who)));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (${signal ?? `exit ${code}`}): ${lastLines(log)}`));
    });
  });
  return {
    pid: child.pid!,
    async stop() {
      if (exited) return;
      // Fast shutdown: roll back open transactions, checkpoint, exit.
      child.kill('SIGINT');
      const slow = setTimeout(() => child.kill('SIGQUIT'), 30_000);
      await exit;
      clearTimeout(slow);
    },
  };
}
