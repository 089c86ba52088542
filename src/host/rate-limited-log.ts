/**
 * Logs a repeated failure (a request answered 503, a background retry) once per cause per interval: the first occurrence at once, then one
 * line per interval with how many occurrences it stands for. An outage of thousands of failed
 * requests stays a handful of lines.
 */
import type { FastifyBaseLogger } from 'fastify';

export class RateLimitedLog {
  readonly #intervalMs: number;
  readonly #causes = new Map<string, { loggedAt: number; suppressed: number }>();
  readonly #now: () => number;
  readonly #message: string;

  constructor(intervalMs: number, now: () => number = Date.now, message = 'database unavailable: answering 503') {
    this.#intervalMs = intervalMs;
    this.#now = now;
    this.#message = message;
  }

  /** Returns true when this occurrence was written to the log. */
  record(log: Pick<FastifyBaseLogger, 'warn'>, cause: string, detail: string, fields: Record<string, unknown> = {}): boolean {
    const now = this.#now();
    const seen = this.#causes.get(cause);
    if (seen && now - seen.loggedAt < this.#intervalMs) {
      seen.suppressed++;
      return false;
    }
    if (this.#causes.size >= 100 && !seen) this.#causes.clear();
    const count = (seen?.suppressed ?? 0) + 1;
    this.#causes.set(cause, { loggedAt: now, suppressed: 0 });
    log.warn({ ...fields, cause, detail, count, intervalMs: this.#intervalMs }, this.#message);
    return true;
  }
}
