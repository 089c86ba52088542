/**
 * A PostgreSQL server from Debian's `postgresql` package, managed by the test itself
 * (initdb, pg_ctl) in a throwaway directory: the kind of server a production team runs,
 * with no tenantgate code involved in creating it. As root the cluster runs as the
 * `postgres` OS user the package creates.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ensureDebian } from './debian.ts';
import { freePort } from './ports.ts';
import { testTmp } from './env.ts';

export interface SystemPostgres {
  port: number;
  /** Superuser URL: use it only to play the managed service's provisioning role. */
  superUrl: string;
  dataDir: string;
  /** Runs a server binary (pg_dump, psql, …) from the same installation. */
  bin(name: string): string;
  stop(): Promise<void>;
}

function pgBinDir(): string {
  ensureDebian({ pkg: 'postgresql', path: '/usr/lib/postgresql' });
  const versions = readdirSync('/usr/lib/postgresql').filter((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('Debian postgresql is installed but no /usr/lib/postgresql/<version>/bin/initdb was found');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

export async function startSystemPostgres(options: { settings?: Record<string, string> } = {}): Promise<SystemPostgres> {
  const bin = pgBinDir();
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(testTmp(), 'syspg-'));
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  const pwFile = join(dir, 'pw');
  const password = `super-${Math.random().toString(36).slice(2)}`;
  writeFileSync(pwFile, password, { mode: 0o600 });
  let uid: number | undefined;
  let gid: number | undefined;
  if (root) {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(pwFile, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(join(bin, cmd), args, { uid, gid, encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout || r.error?.message}`);
  };
  try {
    run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C']);
  } finally {
    rmSync(pwFile, { force: true });
  }
  const port = await freePort();
  const settings = { listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: dir, fsync: 'off', max_connections: '200', ...options.settings };
  const opts = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  run('pg_ctl', ['-D', dataDir, '-o', opts, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  let stopped = false;
  return {
    port,
    superUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    dataDir,
    bin: (name) => join(bin, name),
    async stop() {
      if (stopped) return;
      stopped = true;
      spawnSync(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], { uid, gid });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
