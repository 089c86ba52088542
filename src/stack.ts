/**
 * `tenantgate up`: the database (embedded by default), migrations, the demo seed on an empty
 * database, then every built component on its port. Stops everything cleanly.
 */
import { resolve } from 'node:path';
import type pino from 'pino';
import { publicUrl, type ComponentName, type Config } from './config/schema.ts';
import { componentStarters, demoSeeders, startOrder, type StartOptions } from './components.ts';
import { prepareDatabase, stateDir, type PreparedDatabase } from './db/connect.ts';
import { Database } from './db/database.ts';
import { redactUrl } from './db/urls.ts';
import { readDemoCredentials, writeDemoCredentials } from './demo/credentials.ts';
import { seedDemo } from './demo/seed.ts';
import type { RunningComponent } from './host/app.ts';
import { closeComponentContext, createComponentContext } from './host/context.ts';
import { createLogger } from './host/logger.ts';
import { withPolicyDefaults } from './rollout/policy/load.ts';
import type { Clock } from './telemetry/clock.ts';
import type { MetricsExposition, MetricsRegistry } from './telemetry/metrics.ts';
import { flushTracing } from './telemetry/tracing/active.ts';

export interface StackOptions {
  config: Config;
  cwd?: string;
  /** Components to start (default: every built one). */
  components?: ComponentName[];
  logger?: pino.Logger;
  clock?: Clock;
  /** Use an already prepared database (tests); otherwise prepare one. */
  prepared?: PreparedDatabase;
  /** Migrate an external database while preparing it (the embedded one always is). */
  migrate?: boolean;
  /** Passed to the component starters (e.g. other Authority extensions). */
  start?: StartOptions;
  /** Each component's `/metrics` from something wider than its own registry (a cluster worker). */
  exposeMetrics?: (own: MetricsRegistry) => MetricsExposition;
}

export interface Stack {
  prepared: PreparedDatabase;
  components: RunningComponent[];
  credentialsFile: string;
  seeded: boolean;
  stop(): Promise<void>;
}

export function credentialsPath(config: Config, cwd = process.cwd()): string {
  return resolve(stateDir(config, cwd), 'demo-credentials.json');
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const cwd = options.cwd ?? process.cwd();
  const config = withPolicyDefaults(options.config, cwd);
  const logger = options.logger ?? createLogger('tenantgate', config.server.logLevel);
  const prepared = options.prepared ?? (await prepareDatabase(config, { cwd, migrate: options.migrate === true }));
  const running: RunningComponent[] = [];
  const stop = async () => {
    for (const component of [...running].reverse()) {
      await component.close().catch((err) => logger.error({ err, component: component.name }, 'component did not close cleanly'));
    }
    running.length = 0;
    if (!options.prepared) await prepared.stop();
    // The last requests' spans leave before the process does (a no-op without tracing).
    await flushTracing();
  };
  try {
    const credentialsFile = credentialsPath(config, cwd);
    let seeded = false;
    if (config.demo.seed) {
      const seedDb = new Database(prepared.runtimeUrl, { max: 4, applicationName: 'tenantgate-seed', connectTimeoutMs: config.database.connectTimeoutMs, statementTimeoutMs: 60_000 });
      try {
        const credentials = await seedDemo(demoSeeders, { db: seedDb, config, keyEncryptionKey: prepared.keyEncryptionKey });
        if (credentials) {
          writeDemoCredentials(credentialsFile, credentials);
          seeded = true;
        } else if (!readDemoCredentials(credentialsFile)) {
          logger.warn({ credentialsFile }, 'database was seeded earlier but the demo credentials file is gone');
        }
      } finally {
        await seedDb.close();
      }
    }
    const wanted = options.components ?? startOrder;
    for (const name of startOrder.filter((n) => wanted.includes(n))) {
      const ctx = await createComponentContext({
        name,
        config,
        runtimeUrl: prepared.runtimeUrl,
        keyEncryptionKey: prepared.keyEncryptionKey,
        clock: options.clock,
        logger: logger.child({ component: name }),
        exposeMetrics: options.exposeMetrics,
      });
      try {
        running.push(await componentStarters[name](ctx, undefined, options.start));
      } catch (err) {
        // A component that could not start (its port taken, say) leaves no running instance behind.
        await closeComponentContext(ctx).catch(() => undefined);
        throw err;
      }
    }
    return { prepared, components: running, credentialsFile, seeded, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function demoHint(file: string): string[] {
  const credentials = readDemoCredentials(file);
  if (!credentials) return [];
  const users = Object.keys(credentials.users);
  const clients = Object.keys(credentials.clients);
  const roles = (entries: Record<string, { roles?: string }>) => Object.entries(entries).flatMap(([name, e]) => (e.roles ? [`      ${name.padEnd(17)} ${e.roles}`] : []));
  return [
    ...(users.length ? [`    console users: ${users.join(', ')} (passwords in that file)`, ...roles(credentials.users)] : []),
    ...(clients.length ? [`    API clients:   ${clients.join(', ')} (secrets in that file)`, ...roles(credentials.clients)] : []),
  ];
}

export function describeStack(stack: Stack, config: Config): string {
  const rows = stack.components.map((c) => [c.name, c.url]);
  if (stack.components.some((c) => c.name === 'gateway')) rows.unshift(['console', `${publicUrl(config)}/`]);
  const width = Math.max(...rows.map((r) => r[0].length), 9);
  const lines = [
    'tenantgate is up',
    '',
    ...rows.map(([name, url]) => `  ${name.padEnd(width)}  ${url}`),
    '',
    `  database   ${stack.prepared.embedded ? `embedded PostgreSQL, data in ${stack.prepared.embedded.dataDir}${stack.prepared.embedded.linkedFrom ? ` (linked from ${stack.prepared.embedded.linkedFrom}: the postgres user cannot reach it)` : ''}` : redactUrl(stack.prepared.adminUrl ?? stack.prepared.runtimeUrl)}`,
    `  demo credentials: ${stack.credentialsFile}${stack.seeded ? ' (new)' : ''}`,
    ...demoHint(stack.credentialsFile),
    '',
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n');
}
