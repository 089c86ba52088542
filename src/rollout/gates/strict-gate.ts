/**
 * The strict-mode gate (ROLLOUT.md §4), pure: today ≥ the earliest strict day, and each of
 * the last N complete UTC days has data (a heartbeat) and zero legacy use across every
 * legacy signal. A day without heartbeats is "no data", never zero, and so is a day on which
 * a declared external service sent no legacy-use report.
 */
import { utcDay } from '../../telemetry/clock.ts';
import { gateFrom, type GateCheck, type GateResult } from './gate-result.ts';
import { addUtcDays, utcDayRange } from './utc-days.ts';

export interface LegacyCount {
  signal: string;
  alias: string;
  client: string;
  tenant: string;
  count: number;
}

export interface DayTelemetry {
  day: string;
  /** Instances that reported a heartbeat that day. */
  heartbeats: number;
  /** Legacy-signal counter rows of that day (non-legacy signals are ignored). */
  legacy: LegacyCount[];
  /** External services a gateway declared that day: each must have reported, or the day has no data. */
  declaredServices?: readonly string[];
  /** External services that reported their legacy use that day (zero uses included). */
  reportedServices?: readonly string[];
}

export interface StrictGateInput {
  now: Date;
  strictEarliest: string;
  zeroLegacyDays: number;
  legacySignals: readonly string[];
  /** Telemetry per day; a day absent here has no data. */
  days: readonly DayTelemetry[];
  /** The phase exit check reuses the day rule without the calendar condition. */
  ignoreEarliest?: boolean;
}

export type DayStatus = 'clean' | 'no data' | 'legacy use';

export interface DayVerdict {
  day: string;
  status: DayStatus;
  heartbeats: number;
  legacyTotal: number;
  bySignal: Record<string, number>;
  /** Declared external services without a report that day (the day is "no data"). */
  missingReports: string[];
  /** What was seen, for people: "3 × gateway.legacy_header (X-Tenant-Id, client legacy-cli, tenant tenant-alpha)". */
  seen: string;
}

export interface StrictGateResult extends GateResult {
  today: string;
  window: { from: string; to: string };
  days: DayVerdict[];
  /** The oldest failing day in the window. */
  firstFailingDay: DayVerdict | null;
  /** The newest failing day: the clean streak restarts after it. */
  lastFailingDay: DayVerdict | null;
  /** Consecutive clean complete days ending yesterday. */
  cleanStreak: number;
  /** The first day the gate can pass if every day from now on is clean. */
  earliestPassDay: string;
}

export function evaluateStrictGate(input: StrictGateInput): StrictGateResult {
  const today = utcDay(input.now);
  const n = input.zeroLegacyDays;
  const to = addUtcDays(today, -1);
  const from = addUtcDays(today, -n);
  const legacy = new Set(input.legacySignals);
  const byDay = new Map<string, DayTelemetry[]>();
  for (const d of input.days) byDay.set(d.day, [...(byDay.get(d.day) ?? []), d]);

  const days = utcDayRange(from, to).map((day) => judgeDay(day, byDay.get(day) ?? [], legacy));
  const failing = days.filter((d) => d.status !== 'clean');
  const firstFailingDay = failing[0] ?? null;
  const lastFailingDay = failing[failing.length - 1] ?? null;
  let cleanStreak = 0;
  for (let i = days.length - 1; i >= 0 && days[i].status === 'clean'; i--) cleanStreak++;
  // Days before the window are unknown here, so a full clean window is the streak we can vouch for.
  const daysNeeded = n - cleanStreak;
  const byData = addUtcDays(today, daysNeeded);
  const earliestPassDay = input.ignoreEarliest || byData >= input.strictEarliest ? byData : input.strictEarliest;

  const checks: GateCheck[] = [];
  if (!input.ignoreEarliest) {
    const onTime = today >= input.strictEarliest;
    checks.push({
      id: 'earliest-date',
      description: `today is on or after the earliest strict-mode day ${input.strictEarliest}`,
      pass: onTime,
      detail: onTime ? `today is ${today}` : `today is ${today}, before ${input.strictEarliest}`,
    });
  }
  checks.push({
    id: 'complete-days-with-data',
    description: `each of the last ${n} complete UTC days (${from}..${to}) has telemetry data`,
    pass: days.every((d) => d.status !== 'no data'),
    detail: describeDays(days.filter((d) => d.status === 'no data'), 'no data', n),
  });
  checks.push({
    id: 'zero-legacy-use',
    description: `zero legacy use across ${[...legacy].join(', ')} on each of those days`,
    pass: days.every((d) => d.status !== 'legacy use'),
    detail: describeDays(days.filter((d) => d.status === 'legacy use'), 'legacy use', n),
  });
  if (firstFailingDay) {
    checks.push({
      id: 'first-failing-day',
      description: 'the oldest day in the window that fails',
      pass: false,
      detail: `${firstFailingDay.day}: ${firstFailingDay.status}${firstFailingDay.status === 'legacy use' || firstFailingDay.missingReports.length > 0 ? ` — ${firstFailingDay.seen}` : ''}`,
    });
  }
  return { ...gateFrom(checks), today, window: { from, to }, days, firstFailingDay, lastFailingDay, cleanStreak, earliestPassDay };
}

function judgeDay(day: string, rows: DayTelemetry[], legacy: Set<string>): DayVerdict {
  const heartbeats = rows.reduce((s, r) => s + r.heartbeats, 0);
  const bySignal: Record<string, number> = {};
  const seenParts: LegacyCount[] = [];
  for (const r of rows) {
    for (const l of r.legacy) {
      if (!legacy.has(l.signal) || l.count <= 0) continue;
      bySignal[l.signal] = (bySignal[l.signal] ?? 0) + l.count;
      seenParts.push(l);
    }
  }
  const legacyTotal = Object.values(bySignal).reduce((s, c) => s + c, 0);
  const reported = new Set(rows.flatMap((r) => r.reportedServices ?? []));
  const missingReports = [...new Set(rows.flatMap((r) => r.declaredServices ?? []))].filter((name) => !reported.has(name)).sort();
  // A declared service that did not report is unknown, never zero: its legacy use may be anything.
  const status: DayStatus = heartbeats === 0 || missingReports.length > 0 ? 'no data' : legacyTotal > 0 ? 'legacy use' : 'clean';
  const seen =
    heartbeats === 0
      ? 'no heartbeat from any instance'
      : missingReports.length > 0
        ? `no legacy-use report from ${missingReports.map((n) => `service ${n}`).join(', ')}`
        : legacyTotal === 0
        ? 'no legacy use'
        : seenParts
            .sort((a, b) => b.count - a.count || a.signal.localeCompare(b.signal))
            .slice(0, 5)
            .map((l) => `${l.count} × ${l.signal} (${[l.alias && `alias ${l.alias}`, l.client && `client ${l.client}`, l.tenant && `tenant ${l.tenant}`].filter(Boolean).join(', ') || 'no labels'})`)
            .join('; ') + (seenParts.length > 5 ? `; and ${seenParts.length - 5} more` : '');
  return { day, status, heartbeats, legacyTotal, bySignal, missingReports, seen };
}

function describeDays(bad: DayVerdict[], what: string, n: number): string {
  if (bad.length === 0) return `all ${n} days pass`;
  const list = bad.map((d) => (what === 'legacy use' ? `${d.day} (${d.legacyTotal})` : d.day));
  return `${bad.length} day(s) with ${what}: ${list.slice(0, 7).join(', ')}${list.length > 7 ? ', …' : ''}`;
}
