/**
 * Real outside parts for tests, from Debian's packages: installed by the test setup when
 * missing and running as root (as CI does), otherwise a failure that says how to install them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface DebianPart {
  /** Debian package name, e.g. `pgbouncer`. */
  pkg: string;
  /** A file the package installs, proving it is present, e.g. `/usr/sbin/pgbouncer`. */
  path: string;
}

const updated = { done: false };

/**
 * Test files run in parallel and may need a part at the same time: apt waits for the other's
 * dpkg lock (up to 10 minutes) instead of failing on it.
 */
const WAIT_FOR_LOCK = ['-o', 'DPkg::Lock::Timeout=600'];

function aptInstall(pkgs: string[]): number | null {
  return spawnSync('apt-get', [...WAIT_FOR_LOCK, 'install', '-y', ...pkgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  }).status;
}

/** Installs whatever of `parts` is missing; throws one line naming the apt-get command otherwise. */
export function ensureDebian(...parts: DebianPart[]): void {
  const missing = parts.filter((p) => !existsSync(p.path));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((p) => p.pkg))];
  const instruction = `missing ${pkgs.join(', ')}: install with \`apt-get install -y ${pkgs.join(' ')}\` (Debian, as root) and run the tests again.`;
  if (process.getuid?.() !== 0) throw new Error(instruction);
  if (aptInstall(pkgs) !== 0 && !updated.done) {
    updated.done = true;
    spawnSync('apt-get', [...WAIT_FOR_LOCK, 'update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    aptInstall(pkgs);
  }
  const still = missing.filter((p) => !existsSync(p.path));
  if (still.length > 0) throw new Error(`automatic install failed. ${instruction}`);
}
