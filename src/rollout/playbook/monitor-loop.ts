/**
 * Runs the rollback monitors on a timer inside a long-running process. Several instances
 * may run the loop; a session advisory lock lets one evaluate per tick, so one trip opens
 * one incident.
 */
import type pino from 'pino';
import type { RolloutEnv } from '../rollout-env.ts';
import { runMonitors } from './run-monitors.ts';

const MONITOR_LOCK = 7314053;

export function startMonitorLoop(env: RolloutEnv, intervalMs: number, logger: pino.Logger): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = async () => {
    try {
      await env.db.withSession(async (session) => {
        const { rows } = await session.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [MONITOR_LOCK]);
        if (!rows[0].ok) return;
        try {
          const run = await runMonitors(env);
          for (const i of run.incidents.filter((x) => x.opened)) logger.warn({ incident: i.incidentId, component: i.component, monitor: i.monitor, playbook: i.playbook?.steps ?? null }, 'rollback monitor tripped');
        } finally {
          await session.query('select pg_advisory_unlock($1)', [MONITOR_LOCK]);
        }
      });
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
