/**
 * Logs a repeated failure (a request answered 503, a background retry) once per cause per
 * interval: the first occurrence at once, then — while it keeps occurring — one line per
 * interval with how many occurrences it stands for. Occurrences held back when the failure
 * stops are written at the end of their interval, so every one is counted. An outage of
 * thousands of failed requests stays a handful of lines.
 */
import type { FastifyBaseLogger } from 'fastify';
import { outageCause } from '../db/unavailable.ts';

type WarnLog = Pick<FastifyBaseLogger, 'warn'>;

interface CauseState {
  loggedAt: number;
  suppressed: number;
  /** What the held-back line says: the latest occurrence's log, detail and fields. */
  last: { log: WarnLog; detail: string; fields: Record<string, unknown> } | null;
  timer: NodeJS.Timeout | null;
}

export class RateLimitedLog {
  readonly #intervalMs: number;
  readonly #causes = new Map<string, CauseState>();
  readonly #now: () => number;
  readonly #message: string;

  constructor(intervalMs: number, now: () => number = Date.now, message = 'database unavailable: answering 503') {
    this.#intervalMs = intervalMs;
    this.#now = now;
    this.#message = message;
  }

  /** Returns true when this occurrence was written to the log. */
  record(log: WarnLog, cause: string, detail: string, fields: Record<string, unknown> = {}): boolean {
    const now = this.#now();
    const seen = this.#causes.get(cause);
    if (seen && now - seen.loggedAt < this.#intervalMs) {
      seen.suppressed++;
      seen.last = { log, detail, fields };
      seen.timer ??= this.#flushLater(cause, seen, seen.loggedAt + this.#intervalMs - now);
      return false;
    }
    if (this.#causes.size >= 100 && !seen) this.#clear();
    const count = (seen?.suppressed ?? 0) + 1;
    if (seen?.timer) clearTimeout(seen.timer);
    this.#causes.set(cause, { loggedAt: now, suppressed: 0, last: null, timer: null });
    this.#write(log, cause, detail, fields, count);
    return true;
  }

  /** `record` for a caught error: its cause is the outage it stands for, else `error`. */
  failure(log: WarnLog, err: unknown, fields: Record<string, unknown> = {}): boolean {
    return this.record(log, outageCause(err) ?? 'error', err instanceof Error ? err.message : String(err), fields);
  }

  /** Writes now what is held back (a process about to exit, a test). */
  flush(): void {
    for (const [cause, state] of this.#causes) this.#flushHeld(cause, state);
  }

  #flushLater(cause: string, state: CauseState, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.#flushHeld(cause, state), Math.max(0, delayMs));
    timer.unref();
    return timer;
  }

  #flushHeld(cause: string, state: CauseState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    if (state.suppressed === 0 || !state.last) return;
    const { log, detail, fields } = state.last;
    const count = state.suppressed;
    state.suppressed = 0;
    state.last = null;
    state.loggedAt = this.#now();
    this.#write(log, cause, detail, fields, count);
  }

  #write(log: WarnLog, cause: string, detail: string, fields: Record<string, unknown>, count: number): void {
    log.warn({ ...fields, cause, detail, count, intervalMs: this.#intervalMs }, this.#message);
  }

  #clear(): void {
    for (const state of this.#causes.values()) if (state.timer) clearTimeout(state.timer);
    this.#causes.clear();
  }
}
