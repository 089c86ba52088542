/**
 * How long the primary waits before replacing a worker that died: doubling from `initialMs`
 * per crash in a row, capped at `maxMs`. A worker that served for `stableMs` before it died
 * was not crash-looping, so its replacement starts after `initialMs` again.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  stableMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 30_000, stableMs: 30_000 };

export class RestartBackoff {
  private crashesInARow = 0;

  constructor(private readonly options: BackoffOptions = defaultBackoff) {}

  /** The delay before the next start, given how long the dead worker ran. */
  next(ranMs: number): number {
    if (ranMs >= this.options.stableMs) this.crashesInARow = 0;
    const delay = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.crashesInARow);
    this.crashesInARow++;
    return delay;
  }
}
