/**
 * Runs the rollback monitors on a timer inside a long-running process. Several instances
 * may run the loop; a lease (lease.ts: a row, so it holds behind a transaction pooler and
 * expires when its holder crashed) lets one evaluate per tick, so one trip opens one incident.
 */
import type pino from 'pino';
import type { RolloutEnv } from '../rollout-env.ts';
import { tryAcquireLease } from './lease.ts';
import { runMonitors } from './run-monitors.ts';

const MONITOR_LEASE = 'rollback-monitors';

export function startMonitorLoop(env: RolloutEnv, intervalMs: number, logger: pino.Logger): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = async () => {
    try {
      const lease = await tryAcquireLease(env.db, MONITOR_LEASE);
      if (!lease) return;
      try {
        const run = await runMonitors(env);
        for (const i of run.incidents.filter((x) => x.opened)) logger.warn({ incident: i.incidentId, component: i.component, monitor: i.monitor, playbook: i.playbook?.steps ?? null }, 'rollback monitor tripped');
      } finally {
        await lease.release();
      }
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'rollback monitor evaluation failed');
    }
  };
  const timer = setInterval(() => {
    running ??= tick().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
