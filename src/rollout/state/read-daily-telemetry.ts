/**
 * Per-day telemetry with completeness: heartbeats per day (a day without any is "no
 * data"), the gateways' tenant decisions (the day's traffic: none is "no data" too) and the
 * legacy-signal counter rows, shaped for the strict gate.
 */
import type { Queryable } from '../../db/database.ts';
import { readDailyCounters } from '../../telemetry/counters.ts';
import { readServiceDays } from '../../telemetry/service-reports.ts';
import { signals } from '../../telemetry/signals.ts';
import { syntheticRow } from '../../telemetry/synthetic.ts';
import type { DayTelemetry } from '../gates/strict-gate.ts';

export async function readDailyTelemetry(db: Queryable, fromDay: string, toDay: string, legacySignals: readonly string[]): Promise<DayTelemetry[]> {
  const beats = await db.query(
    `select to_char(utc_day, 'YYYY-MM-DD') as day, count(*)::int as n from telemetry.heartbeats where utc_day between $1::date and $2::date group by utc_day`,
    [fromDay, toDay],
  );
  const counts = await readDailyCounters(db as any, fromDay, toDay, [...legacySignals]);
  const traffic = await db.query(
    `select to_char(utc_day, 'YYYY-MM-DD') as day, sum(count)::float8 as n from telemetry.daily_counters
      where utc_day between $1::date and $2::date and signal = $3 group by utc_day`,
    [fromDay, toDay, signals.gatewayDecision],
  );
  const byDay = new Map<string, DayTelemetry>();
  const dayOf = (day: string) => byDay.get(day) ?? byDay.set(day, { day, heartbeats: 0, traffic: 0, legacy: [] }).get(day)!;
  for (const r of beats.rows as { day: string; n: number }[]) dayOf(r.day).heartbeats = r.n;
  for (const r of traffic.rows as { day: string; n: number }[]) dayOf(r.day).traffic = Number(r.n);
  for (const c of counts) {
    const d = dayOf(c.day);
    d.legacy.push({ signal: c.signal, alias: c.alias, client: c.client, tenant: c.tenant, count: c.count });
  }
  for (const s of await readServiceDays(db, fromDay, toDay)) {
    const d = dayOf(s.day);
    d.declaredServices = s.declared;
    d.reportedServices = s.reported;
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}

export interface DailySignalTotals {
  day: string;
  heartbeats: number;
  totals: Record<string, number>;
}

/** Totals per day and signal (all signals, synthetic traffic left out), with heartbeat counts: the console's 30-day table. */
export async function readDailySignalTotals(db: Queryable, fromDay: string, toDay: string): Promise<DailySignalTotals[]> {
  const beats = await db.query(
    `select to_char(utc_day, 'YYYY-MM-DD') as day, count(*)::int as n from telemetry.heartbeats where utc_day between $1::date and $2::date group by utc_day`,
    [fromDay, toDay],
  );
  const sums = await db.query(
    `select to_char(utc_day, 'YYYY-MM-DD') as day, signal, sum(count)::float8 as n from telemetry.daily_counters c
      where utc_day between $1::date and $2::date and not ${syntheticRow('c')} group by utc_day, signal`,
    [fromDay, toDay],
  );
  const out = new Map<string, DailySignalTotals>();
  for (let d = fromDay; d <= toDay; d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) out.set(d, { day: d, heartbeats: 0, totals: {} });
  for (const r of beats.rows as any[]) out.get(r.day)!.heartbeats = r.n;
  for (const r of sums.rows as any[]) out.get(r.day)!.totals[r.signal] = Number(r.n);
  return [...out.values()];
}
