/**
 * Rollback monitors (ROLLOUT.md §4), pure: the policy's rollback criteria as sums over
 * telemetry windows of daily counters, optionally relative to a baseline and only since a
 * module's deploy. A tripped monitor names the module a rollback would target.
 */
import { utcDay } from '../../telemetry/clock.ts';
import type { DailyTotal } from '../../telemetry/counters.ts';
import type { DeploymentRecord } from '../model.ts';
import type { Monitor } from '../policy/schema.ts';
import { addUtcDays } from './utc-days.ts';

export interface MonitorReading {
  monitor: string;
  description: string;
  module: string;
  window: { from: string; to: string };
  total: number;
  threshold: number;
  baselineMean: number | null;
  tripped: boolean;
  autoRollback: boolean;
  detail: string;
}

export function matchesDetail(patterns: readonly string[] | undefined, module: string, detail: string): boolean {
  if (!patterns) return true;
  return patterns.some((raw) => {
    const p = raw.replaceAll('{module}', module);
    return p.endsWith('*') ? detail.startsWith(p.slice(0, -1)) : detail === p;
  });
}

/** The first day a monitor reads: `windowDays` back from today, or since the module's deploy. */
export function monitorWindowStart(monitor: Monitor, today: string, deployedDay: string | null): string {
  const start = addUtcDays(today, -(monitor.windowDays - 1));
  return monitor.sinceDeploy && deployedDay && deployedDay > start ? deployedDay : start;
}

export function evaluateMonitors(monitors: readonly Monitor[], now: Date, counters: readonly DailyTotal[], deployments: readonly DeploymentRecord[]): MonitorReading[] {
  const today = utcDay(now);
  const current = new Map(deployments.filter((d) => d.current).map((d) => [d.component as string, d]));
  const readings: MonitorReading[] = [];
  for (const m of monitors) {
    for (const module of m.modules ?? [m.module!]) {
      const deployed = current.get(module);
      const deployedDay = deployed ? deployed.deployedAt.slice(0, 10) : null;
      const from = monitorWindowStart(m, today, deployedDay);
      const sum = (a: string, b: string) =>
        counters.filter((c) => c.day >= a && c.day <= b && m.signals.includes(c.signal) && matchesDetail(m.details, module, c.detail)).reduce((s, c) => s + c.count, 0);
      const window = { from, to: today };
      if (m.sinceDeploy && !deployed) {
        readings.push({ monitor: m.id, description: m.description, module, window, total: 0, threshold: m.threshold, baselineMean: null, tripped: false, autoRollback: m.autoRollback, detail: `no deployment of ${module} recorded` });
        continue;
      }
      const total = sum(from, today);
      let baselineMean: number | null = null;
      if (m.baseline) {
        const bTo = addUtcDays(from, -1);
        const bFrom = addUtcDays(from, -m.baseline.days);
        baselineMean = (sum(bFrom, bTo) / m.baseline.days) * m.windowDays;
      }
      const overThreshold = total > m.threshold;
      const overBaseline = baselineMean === null || total > baselineMean * m.baseline!.factor;
      const tripped = overThreshold && overBaseline;
      const parts = [`${total} in ${from}..${today} (threshold ${m.threshold})`];
      if (baselineMean !== null) parts.push(`baseline ${round(baselineMean)} × ${m.baseline!.factor} = ${round(baselineMean * m.baseline!.factor)}`);
      readings.push({ monitor: m.id, description: m.description, module, window, total, threshold: m.threshold, baselineMean, tripped, autoRollback: m.autoRollback, detail: parts.join('; ') });
    }
  }
  return readings;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
