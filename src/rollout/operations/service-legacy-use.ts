/**
 * Legacy tenant header use per service over the strict-mode window and today, for `rollout
 * status`: the built-in modules' own counts (`module.legacy_header`) and the declared external
 * services' reported counts (`service.legacy_header`), with the days each external service was
 * declared and reported — a declared day without a report is "no data" for the gate.
 */
import type { Queryable } from '../../db/database.ts';
import { builtInServiceNames } from '../../contract/services.ts';
import { utcDay } from '../../telemetry/clock.ts';
import { readDailyCounters } from '../../telemetry/counters.ts';
import { readServiceDays } from '../../telemetry/service-reports.ts';
import { signals } from '../../telemetry/signals.ts';
import { addUtcDays } from '../gates/utc-days.ts';

export interface ServiceLegacyUse {
  service: string;
  kind: 'built-in' | 'external';
  window: { from: string; to: string };
  /** Legacy uses in the window (today included). */
  uses: number;
  today: number;
  /** External services: days in the window a gateway declared it, and days it reported. */
  daysDeclared: number | null;
  daysReported: number | null;
  /** Declared days (complete ones) without a report: "no data" for the strict gate. */
  daysWithoutReport: string[];
}

export async function readServiceLegacyUse(db: Queryable, windowDays: number, now: Date): Promise<ServiceLegacyUse[]> {
  const today = utcDay(now);
  const from = addUtcDays(today, -windowDays);
  const counters = await readDailyCounters(db, from, today, [signals.moduleLegacyHeader, signals.serviceLegacyHeader]);
  const days = await readServiceDays(db, from, today);
  const external = [...new Set([...days.flatMap((d) => [...d.declared, ...d.reported]), ...counters.filter((c) => c.signal === signals.serviceLegacyHeader).map((c) => c.detail)])].sort();
  const sum = (signal: string, name: string, day?: string) => counters.filter((c) => c.signal === signal && c.detail === name && (day === undefined || c.day === day)).reduce((s, c) => s + c.count, 0);
  const window = { from, to: today };
  return [
    ...builtInServiceNames.map((name): ServiceLegacyUse => ({
      service: name,
      kind: 'built-in',
      window,
      uses: sum(signals.moduleLegacyHeader, name),
      today: sum(signals.moduleLegacyHeader, name, today),
      daysDeclared: null,
      daysReported: null,
      daysWithoutReport: [],
    })),
    ...external.map((name): ServiceLegacyUse => ({
      service: name,
      kind: 'external',
      window,
      uses: sum(signals.serviceLegacyHeader, name),
      today: sum(signals.serviceLegacyHeader, name, today),
      daysDeclared: days.filter((d) => d.declared.includes(name)).length,
      daysReported: days.filter((d) => d.reported.includes(name)).length,
      daysWithoutReport: days.filter((d) => d.day < today && d.declared.includes(name) && !d.reported.includes(name)).map((d) => d.day),
    })),
  ];
}
