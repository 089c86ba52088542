/**
 * The strict-mode gate (ROLLOUT.md §4), pure: today ≥ the earliest strict day, and each of
 * the last N complete UTC days has data (a heartbeat and traffic) and zero legacy use across
 * every legacy signal. A day without heartbeats is "no data", never zero; so is a day on
 * which the gateway made no tenant decision at all (no traffic: zero legacy use there proves
 * nothing), and a day on which a declared external service sent no legacy-use report.
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
  /** Tenant decisions the gateways counted that day (`gateway.decision`): the traffic legacy use could show in. */
  traffic: number;
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
  traffic: number;
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
  /** The first day the gate can pass if every day from now on is clean (legacy use counted today included). */
  earliestPassDay: string;
  /** Legacy use counted so far today (the partial day): it restarts the streak tomorrow. */
  todayLegacyTotal: number;
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
  // Legacy use already counted today fails today, so a streak that is not complete yet starts tomorrow.
  const todayLegacyTotal = judgeDay(today, byDay.get(today) ?? [], legacy).legacyTotal;
  const byData = cleanStreak >= n ? today : todayLegacyTotal > 0 ? addUtcDays(today, n + 1) : addUtcDays(today, n - cleanStreak);
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
  // A day without data proves no zero: the criterion reads "no data" for it and does not pass.
  const legacyDays = days.filter((d) => d.status === 'legacy use');
  const noDataDays = days.filter((d) => d.status === 'no data');
  checks.push({
    id: 'zero-legacy-use',
    description: `zero legacy use across ${[...legacy].join(', ')} on each of those days`,
    pass: legacyDays.length === 0 && noDataDays.length === 0,
    detail:
      legacyDays.length > 0
        ? describeDays(legacyDays, 'legacy use', n) + (noDataDays.length > 0 ? `; no data on ${noDataDays.length} day(s)` : '')
        : noDataDays.length > 0
          ? `no data on ${noDataDays.length === n ? `all ${n}` : noDataDays.length} day(s): zero legacy use is not shown by days without data`
          : `all ${n} days pass`,
  });
  if (firstFailingDay) {
    checks.push({
      id: 'first-failing-day',
      description: 'the oldest day in the window that fails',
      pass: false,
      detail: `${firstFailingDay.day}: ${firstFailingDay.status}${firstFailingDay.status === 'legacy use' || firstFailingDay.missingReports.length > 0 ? ` — ${firstFailingDay.seen}` : ''}`,
    });
  }
  return { ...gateFrom(checks), today, window: { from, to }, days, firstFailingDay, lastFailingDay, cleanStreak, earliestPassDay, todayLegacyTotal };
}

function judgeDay(day: string, rows: DayTelemetry[], legacy: Set<string>): DayVerdict {
  const heartbeats = rows.reduce((s, r) => s + r.heartbeats, 0);
  const traffic = rows.reduce((s, r) => s + r.traffic, 0);
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
  // Legacy use seen on a day is use, whatever else is missing; only a zero needs the day's data to mean anything.
  const status: DayStatus = legacyTotal > 0 && heartbeats > 0 ? 'legacy use' : heartbeats === 0 || traffic === 0 || missingReports.length > 0 ? 'no data' : 'clean';
  const seen =
    heartbeats === 0
      ? 'no heartbeat from any instance'
      : legacyTotal === 0 && traffic === 0
        ? 'no traffic: the gateways made no tenant decision'
      : missingReports.length > 0
        ? `no legacy-use report from ${missingReports.map((n) => `service ${n}`).join(', ')}`
        : legacyTotal === 0
        ? 'no legacy use'
        : seenParts
            .sort((a, b) => b.count - a.count || a.signal.localeCompare(b.signal))
            .slice(0, 5)
            .map((l) => `${l.count} × ${l.signal} (${[l.alias && `alias ${l.alias}`, l.client && `client ${l.client}`, l.tenant && `tenant ${l.tenant}`].filter(Boolean).join(', ') || 'no labels'})`)
            .join('; ') + (seenParts.length > 5 ? `; and ${seenParts.length - 5} more` : '');
  return { day, status, heartbeats, traffic, legacyTotal, bySignal, missingReports, seen };
}

function describeDays(bad: DayVerdict[], what: string, n: number): string {
  if (bad.length === 0) return `all ${n} days pass`;
  const list = bad.map((d) => (what === 'legacy use' ? `${d.day} (${d.legacyTotal})` : d.day));
  return `${bad.length} day(s) with ${what}: ${list.slice(0, 7).join(', ')}${list.length > 7 ? ', …' : ''}`;
}
