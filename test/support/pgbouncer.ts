/**
 * Debian's pgbouncer as a child process in TRANSACTION pool mode, in front of a PostgreSQL
 * server: ini and userlist in a private temp directory (0600), SCRAM authentication on both
 * sides. As root it runs as the `postgres` OS user (pgbouncer refuses to run as root).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDebian } from './debian.ts';
import { testTmp } from './env.ts';
import { freePort } from './ports.ts';

export interface Pgbouncer {
  port: number;
  /** A connection string through the pooler. */
  url(user: string, password: string, database: string): string;
  stop(): Promise<void>;
}

export interface PgbouncerOptions {
  upstreamPort: number;
  /** user → plaintext password (pgbouncer needs it to answer SCRAM towards the server). */
  users: Record<string, string>;
  /** Server connections per database and user: 1 makes every transaction share one. */
  poolSize?: number;
  maxClientConn?: number;
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function startPgbouncer(options: PgbouncerOptions): Promise<Pgbouncer> {
  ensureDebian({ pkg: 'pgbouncer', path: '/usr/sbin/pgbouncer' });
  const dir = mkdtempSync(join(testTmp(), 'pgbouncer-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  const userlist = join(dir, 'userlist.txt');
  writeFileSync(userlist, Object.entries(options.users).map(([u, p]) => `${quote(u)} ${quote(p)}\n`).join(''), { mode: 0o600 });
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${options.upstreamPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${userlist}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 2}`,
      `max_client_conn = ${options.maxClientConn ?? 60}`,
      // node-postgres sends statement_timeout as a startup parameter; pgbouncer refuses
      // unknown ones. (Deployments set it on the role instead: docs/deployment.md.)
      'ignore_startup_parameters = statement_timeout',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const args = [ini];
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const f of [dir, ini, userlist]) chownSync(f, uid, gid);
    args.unshift('-u', 'postgres');
  }
  const child: ChildProcess = spawn('/usr/sbin/pgbouncer', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    log = (log + c).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when it answers a login (any user of the list, against the server's postgres db).
  const [user, password] = Object.entries(options.users)[0];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres', connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`pgbouncer did not start: ${(err as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    url: (u, p, database) => `postgres://${encodeURIComponent(u)}:${encodeURIComponent(p)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop,
  };
}
