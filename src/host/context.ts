/**
 * What every component process holds: its config, the runtime database, live flags,
 * durable counters, its instance identity and metrics registry, and a logger.
 */
import type pino from 'pino';
import type { ComponentName, Config } from '../config/schema.ts';
import type { ContractProfile } from '../contract/profile.ts';
import { Database } from '../db/database.ts';
import { assertRuntimeRoleSafe } from '../db/role-safety.ts';
import { LiveFlags } from '../flags/live.ts';
import { deploymentFlags } from '../flags/catalogue.ts';
import { systemClock, type Clock } from '../telemetry/clock.ts';
import { DailyCounters } from '../telemetry/counters.ts';
import { InstanceReporter } from '../telemetry/instance.ts';
import { createRegistry, type MetricsExposition, type MetricsRegistry } from '../telemetry/metrics.ts';
import { createLogger } from './logger.ts';
import { RateLimitedLog } from './rate-limited-log.ts';

export interface ComponentContext {
  name: ComponentName;
  config: Config;
  profile: ContractProfile;
  db: Database;
  runtimeUrl: string;
  keyEncryptionKey: string;
  logger: pino.Logger;
  flags: LiveFlags;
  counters: DailyCounters;
  instance: InstanceReporter;
  metrics: MetricsRegistry;
  /** What `/metrics` serves when it is not `metrics` alone (a cluster worker: every worker's). */
  metricsExposition?: MetricsExposition;
  clock: Clock;
}

export interface ContextOptions {
  name: ComponentName;
  config: Config;
  runtimeUrl: string;
  keyEncryptionKey: string;
  clock?: Clock;
  logger?: pino.Logger;
  /** `/metrics` from something wider than this process's registry (a cluster worker). */
  exposeMetrics?: (own: MetricsRegistry) => MetricsExposition;
}

export async function createComponentContext(options: ContextOptions): Promise<ComponentContext> {
  const { config, name } = options;
  const logger = options.logger ?? createLogger(name, config.server.logLevel);
  const clock = options.clock ?? systemClock;
  const db = new Database(options.runtimeUrl, {
    max: config.database.poolMax,
    applicationName: `tenantgate-${name}`,
    connectTimeoutMs: config.database.connectTimeoutMs,
    statementTimeoutMs: config.database.statementTimeoutMs,
  });
  try {
    await assertRuntimeRoleSafe(db, config.database.ownerRole);
  } catch (err) {
    await db.close();
    throw err;
  }
  const flushLog = new RateLimitedLog(10_000, Date.now, 'counter flush failed; will retry');
  // Heartbeats are written on the counter flush tick (afterFlush below).
  const instance = new InstanceReporter(db, name, { clock, heartbeatIntervalMs: config.telemetry.heartbeatIntervalMs, tickMs: config.telemetry.flushIntervalMs });
  const counters = new DailyCounters({
    db,
    instanceId: instance.instanceId,
    clock,
    flushIntervalMs: config.telemetry.flushIntervalMs,
    onError: (err) => flushLog.failure(logger, err),
    afterFlush: () => instance.heartbeat(),
  });
  const flags = new LiveFlags({
    db,
    // A transaction pooler accepts LISTEN and then drops the notifications: the listener
    // needs a direct connection when the runtime URL goes through one.
    listenUrl: config.database.listenUrl ?? options.runtimeUrl,
    pollIntervalMs: config.flags.pollIntervalMs,
    onVersion: (version) => instance.reportFlagVersion(version).catch(() => undefined),
    onError: (err) => logger.debug({ err: (err as Error).message }, 'flag listener error'),
    catalogue: deploymentFlags(config),
  });
  const metrics = createRegistry(name);
  await instance.register();
  await flags.start();
  counters.start();
  return {
    name,
    config,
    profile: config.profile,
    db,
    runtimeUrl: options.runtimeUrl,
    keyEncryptionKey: options.keyEncryptionKey,
    logger,
    flags,
    counters,
    instance,
    metrics,
    ...(options.exposeMetrics ? { metricsExposition: options.exposeMetrics(metrics) } : {}),
    clock,
  };
}

export async function closeComponentContext(ctx: ComponentContext): Promise<void> {
  await ctx.flags.stop();
  const flushed = await ctx.counters.stop(5000);
  if (!flushed) ctx.logger.error({ cells: ctx.counters.bufferedCells }, 'counters could not be flushed before shutdown');
  await ctx.instance.deregister().catch(() => undefined);
  await ctx.db.close();
}
