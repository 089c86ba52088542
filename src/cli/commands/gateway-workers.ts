/**
 * `tenantgate gateway` on all the cores: with `gateway.workers` > 1 (default: one per CPU) the
 * command becomes a cluster primary that prepares the database once and forks that many
 * gateway processes sharing its port. Each worker is an ordinary gateway instance — its own
 * pool, flag and revocation listeners, durable counter buffer, heartbeat and instance id —
 * so everything the gateway shares across a fleet it shares across workers the same way.
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../../config/schema.ts';
import { prepareDatabase, type PreparedDatabase } from '../../db/connect.ts';
import { Database } from '../../db/database.ts';
import { Supervisor } from '../../host/cluster/supervisor.ts';
import { WorkerLink } from '../../host/cluster/worker-link.ts';
import { createLogger } from '../../host/logger.ts';
import { startStack } from '../../stack.ts';
import { markInstancesStopped } from '../../telemetry/instance.ts';
import { onShutdownSignal } from '../signals.ts';

/** What a gateway worker needs from its primary: the primary prepared the database. */
interface GatewayWorkerStart {
  config: Config;
  runtimeUrl: string;
  keyEncryptionKey: string;
}

/** The processes `tenantgate gateway` runs: `gateway.workers`, else one per CPU. */
export function gatewayWorkers(config: Config): number {
  return config.gateway.workers ?? availableParallelism();
}

export async function runGatewayPrimary(config: Config, workers: number, opts: { migrate: boolean; seed: boolean }): Promise<void> {
  const logger = createLogger('gateway', config.server.logLevel);
  const prepared = await prepareDatabase(config, { migrate: opts.migrate, reuseRunning: true });
  let db: Database | null = null;
  let supervisor: Supervisor<GatewayWorkerStart>;
  try {
    // Seeded once, here: a worker never seeds.
    if (opts.seed) await (await startStack({ config: { ...config, demo: { ...config.demo, seed: true } }, components: [], prepared })).stop();
    supervisor = new Supervisor<GatewayWorkerStart>({
      name: 'gateway',
      workers,
      payload: { config: { ...config, demo: { ...config.demo, seed: false } }, runtimeUrl: prepared.runtimeUrl, keyEncryptionKey: prepared.keyEncryptionKey },
      logger,
      // A worker drains within the grace period, then flushes counters (5 s at most) and deregisters.
      stopTimeoutMs: config.server.shutdownGraceMs + 10_000,
      onWorkerLost: async (ids) => {
        db ??= new Database(prepared.runtimeUrl, { max: 1, applicationName: 'tenantgate-gateway-primary', connectTimeoutMs: config.database.connectTimeoutMs, statementTimeoutMs: config.database.statementTimeoutMs });
        await markInstancesStopped(db, ids, new Date());
      },
    });
    process.once('exit', () => supervisor.killAll());
    const url = await supervisor.start();
    onShutdownSignal(async () => {
      const clean = await supervisor.stop();
      await db?.close();
      await prepared.stop();
      if (!clean) throw new Error('a gateway worker did not stop cleanly');
    });
    process.stdout.write(`gateway listening on ${url} (${workers} workers)\n`);
  } catch (err) {
    await (db as Database | null)?.close();
    await prepared.stop();
    throw err;
  }
}

export async function runGatewayWorker(): Promise<void> {
  const link = new WorkerLink<GatewayWorkerStart>();
  const log = (m: string) => process.stderr.write(`gateway worker ${process.pid}: ${m}\n`);
  const start = await link.awaitStart();
  const prepared: PreparedDatabase = { adminUrl: null, runtimeUrl: start.runtimeUrl, keyEncryptionKey: start.keyEncryptionKey, embedded: null, migrations: null, stop: async () => undefined };
  let stack;
  try {
    stack = await startStack({ config: start.config, components: ['gateway'], prepared, exposeMetrics: (own) => link.exposition(own) });
  } catch (err) {
    const message = (err as Error).message;
    log(`could not start: ${message}`);
    await link.failed(message);
    process.exit(1);
  }
  const running = stack;
  link.listening(running.components[0].url, running.components.map((c) => c.ctx.instance.instanceId));
  link.onStop(() => running.stop(), log);
}
