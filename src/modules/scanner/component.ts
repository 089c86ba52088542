/**
 * The Scanner process: syncs the bundled advisory dataset into the advisory table, starts
 * `modules.scannerWorkers` queue workers, and serves the Scanner API through the module host.
 */
import type { ComponentContext } from '../../host/context.ts';
import type { RunningComponent } from '../../host/app.ts';
import { startModule } from '../host.ts';
import { loadBundledAdvisories } from './advisories/load-bundled-dataset.ts';
import { readAdvisories } from './advisories/read-advisories.ts';
import { syncAdvisories } from './advisories/sync-advisories.ts';
import { buildAdvisoryIndex } from './engine/advisory-index.ts';
import { ScanWorkers } from './queue/scan-workers.ts';
import { scannerRoutes } from './routes/register-routes.ts';

export async function startScanner(ctx: ComponentContext, port?: number): Promise<RunningComponent> {
  await syncAdvisories(ctx.db, loadBundledAdvisories());
  const index = buildAdvisoryIndex(await readAdvisories(ctx.db));
  const { modules } = ctx.config;
  const workers = new ScanWorkers({
    db: ctx.db,
    index,
    workers: modules.scannerWorkers,
    owner: ctx.instance.instanceId,
    leaseSeconds: modules.scanJobLeaseSeconds,
    pollIntervalMs: modules.scanPollIntervalMs,
    maxAttempts: modules.scanMaxAttempts,
    scanDelayMs: modules.scanDelayMs,
    logger: ctx.logger.child({ part: 'scan-workers' }),
    metrics: ctx.metrics,
  });
  const running = await startModule(ctx, 'scanner', scannerRoutes(ctx, () => workers.nudge()), port, { onClose: () => workers.stop() });
  workers.start();
  return running;
}
