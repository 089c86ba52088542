/**
 * PostgreSQL refuses to run as root. When tenantgate runs as root, the embedded server runs
 * as the unprivileged `postgres` user (created if missing), and every path it touches must
 * be reachable by that user: `blockingDirectory` tells which directory is not.
 */
import { execFileSync } from 'node:child_process';
import { statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, parse, resolve } from 'node:path';

export interface RunAs {
  name: string;
  uid: number;
  gid: number;
  /** Every group id of the user, primary included. */
  groups: number[];
}

const R = 4;
const W = 2;
const X = 1;

function idOf(name: string): RunAs | null {
  try {
    const out = (flags: string) => execFileSync('id', [flags, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { name, uid: Number(out('-u')), gid: Number(out('-g')), groups: out('-G').split(/\s+/).map(Number) };
  } catch {
    return null;
  }
}

/** The user the embedded server runs as: null when tenantgate itself is not root. */
export function postgresRunAs(name = 'postgres'): RunAs | null {
  if (userInfo().uid !== 0) return null;
  const existing = idOf(name);
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' });
  } catch {
    // A group of that name without the user: join it.
    try {
      execFileSync('useradd', ['--system', '--gid', name, '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' });
    } catch {
      throw new Error(`running as root, the embedded PostgreSQL needs an unprivileged user "${name}" and useradd could not create it; create it, or run tenantgate as another user`);
    }
  }
  const created = idOf(name);
  if (!created) throw new Error(`running as root, the embedded PostgreSQL needs an unprivileged user "${name}"; create it, or run tenantgate as another user`);
  return created;
}

/** Whether `who` holds `bits` (4 read, 2 write, 1 search/execute) on a file of this mode. */
export function allows(st: Pick<Stats, 'uid' | 'gid' | 'mode'>, who: RunAs, bits: number): boolean {
  if (st.uid === who.uid) return ((st.mode >> 6) & bits) === bits;
  if (who.groups.includes(st.gid)) return ((st.mode >> 3) & bits) === bits;
  return (st.mode & bits) === bits;
}

/**
 * The first directory on the way to `path` (itself included when it is a directory) that
 * `who` cannot search, or null when every one can be. Only existing directories count.
 */
export function blockingDirectory(path: string, who: RunAs): string | null {
  const target = resolve(path);
  const chain: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === parse(dir).root) break;
  }
  for (const dir of chain) {
    let st: Stats;
    try {
      st = statSync(dir);
    } catch {
      return null;
    }
    if (st.isDirectory() && !allows(st, who, X)) return dir;
  }
  return null;
}

/** Whether `who` can read (and, for directories, search) `path` and reach it. */
export function canRead(path: string, who: RunAs): boolean {
  if (blockingDirectory(dirname(resolve(path)), who)) return false;
  const st = statSync(path);
  return allows(st, who, st.isDirectory() ? R | X : R);
}

/** Whether only root can change `path` (owned by root, writable by no one else). */
export function rootOnlyWritable(st: Pick<Stats, 'uid' | 'mode'>): boolean {
  return st.uid === 0 && (st.mode & 0o022) === 0;
}

export { R, W, X };
