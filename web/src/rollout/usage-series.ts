/**
 * The 30 bars of the legacy-usage chart: one per UTC day ending at `lastDay`, each "no data"
 * (no heartbeat that day — never drawn as zero), "zero" or "use" with its total.
 */
export interface DayUsage {
  day: string;
  heartbeats: number;
  legacyTotal: number;
}

export type BarKind = 'nodata' | 'zero' | 'use';

export interface UsageBar {
  day: string;
  kind: BarKind;
  total: number;
}

export function addDays(day: string, delta: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + delta);
  return date.toISOString().slice(0, 10);
}

export function usageSeries(days: readonly DayUsage[], lastDay: string, count = 30): UsageBar[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const bars: UsageBar[] = [];
  for (let offset = count - 1; offset >= 0; offset--) {
    const day = addDays(lastDay, -offset);
    const seen = byDay.get(day);
    if (!seen || (seen.heartbeats === 0 && seen.legacyTotal === 0)) bars.push({ day, kind: 'nodata', total: 0 });
    else bars.push({ day, kind: seen.legacyTotal > 0 ? 'use' : 'zero', total: seen.legacyTotal });
  }
  return bars;
}
