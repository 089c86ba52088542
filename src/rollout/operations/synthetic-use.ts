/**
 * Synthetic traffic counted apart: what the acceptance matrix's clients and tenants caused
 * over the strict-mode window (today included) on the legacy signals and the signals the
 * rollback monitors read. None of it reaches a gate or a monitor; status shows it here.
 */
import type { Queryable } from '../../db/database.ts';
import { utcDay } from '../../telemetry/clock.ts';
import { readDailyCounters } from '../../telemetry/counters.ts';
import { legacySignals } from '../../telemetry/signals.ts';
import { addUtcDays } from '../gates/utc-days.ts';
import type { RolloutPolicy } from '../policy/schema.ts';

export interface SyntheticUse {
  window: { from: string; to: string };
  /** Synthetic legacy uses, all legacy signals together. */
  legacyUses: number;
  /** Per signal (legacy and monitored), only signals with a count. */
  bySignal: Record<string, number>;
}

export async function readSyntheticUse(db: Queryable, policy: RolloutPolicy, now: Date): Promise<SyntheticUse> {
  const today = utcDay(now);
  const from = addUtcDays(today, -policy.compatibility.zeroLegacyDays);
  const watched = [...new Set([...legacySignals, ...policy.monitors.flatMap((m) => m.signals)])];
  const rows = await readDailyCounters(db, from, today, watched, 'only');
  const bySignal: Record<string, number> = {};
  for (const r of rows) bySignal[r.signal] = (bySignal[r.signal] ?? 0) + r.count;
  const legacyUses = legacySignals.reduce((s, name) => s + (bySignal[name] ?? 0), 0);
  return { window: { from, to: today }, legacyUses, bySignal: Object.fromEntries(Object.entries(bySignal).sort(([a], [b]) => a.localeCompare(b))) };
}
