/** Calendar arithmetic on UTC days (YYYY-MM-DD), the unit every gate counts in. */
const DAY_MS = 86_400_000;

export function addUtcDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to` inclusive, oldest first (empty when `to` < `from`). */
export function utcDayRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addUtcDays(d, 1)) out.push(d);
  return out;
}
