/** Injectable time: every component takes a Clock so tests control days and windows. */
export interface Clock {
  now(): Date;
  /** The same instant in epoch milliseconds, without a Date (hot paths use it when offered). */
  nowMs?(): number;
}

export const systemClock: Clock = { now: () => new Date(), nowMs: Date.now };

/** The UTC calendar day of an instant, as YYYY-MM-DD. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Epoch milliseconds from a clock, without a Date per call when the clock offers `nowMs`. */
export function epochMs(clock: Clock): () => number {
  return clock.nowMs !== undefined ? clock.nowMs.bind(clock) : () => clock.now().getTime();
}
