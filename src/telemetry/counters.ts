/**
 * Durable daily counters. `increment` is an in-memory add; a flusher upserts batches into
 * telemetry.daily_counters every few seconds. Each batch carries an idempotency key, so a
 * retry after an ambiguous failure never double counts, and while the database is away the
 * batch waits and new increments keep merging into the buffer (bounded by label cardinality).
 */
import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { systemClock, utcDay, type Clock } from './clock.ts';
import { LabelIndex } from './label-index.ts';
import { syntheticCondition, type SyntheticFilter } from './synthetic.ts';

export interface CounterLabels {
  alias?: string;
  client?: string;
  tenant?: string;
  detail?: string;
}

/** One label combination of `DailyCounters.handle`; opaque to callers. */
export class CounterHandle {
  /** The buffer cell this handle adds to while `epoch` is the counters' current one. */
  cell: Cell | null = null;
  epoch = -1;

  constructor(
    readonly signal: string,
    readonly alias: string,
    readonly client: string,
    readonly tenant: string,
    readonly detail: string,
  ) {}
}

interface Cell {
  day: string;
  signal: string;
  alias: string;
  client: string;
  tenant: string;
  detail: string;
  count: number;
}

export interface DailyCountersOptions {
  db: Database;
  instanceId: string;
  flushIntervalMs?: number;
  clock?: Clock;
  onError?: (err: unknown) => void;
  /** Called after every successful flush (heartbeat hook). */
  afterFlush?: () => Promise<void>;
}

export class DailyCounters {
  /** Cells counted since the last batch was taken, found by (day, signal, alias, client, tenant, detail). */
  private buffer = new LabelIndex<Cell>(6);
  private cells: Cell[] = [];
  private pending: { id: string; cells: Cell[] } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<boolean> | null = null;
  private readonly clock: Clock;

  constructor(private readonly options: DailyCountersOptions) {
    this.clock = options.clock ?? systemClock;
  }

  increment(signal: string, labels: CounterLabels = {}, by = 1): void {
    const day = this.dayOf(this.clock.nowMs?.() ?? this.clock.now().getTime());
    this.cellFor(day, signal, labels.alias ?? '', labels.client ?? '', labels.tenant ?? '', labels.detail ?? '').count += by;
  }

  /**
   * A handle on one label combination, for a caller that counts it again and again (the
   * gateway, per request): `add(handle)` is an addition into the cell the handle holds, and
   * the cell is found again only after the buffer was handed to a batch or the day changed.
   */
  handle(signal: string, labels: CounterLabels = {}): CounterHandle {
    return new CounterHandle(signal, labels.alias ?? '', labels.client ?? '', labels.tenant ?? '', labels.detail ?? '');
  }

  add(handle: CounterHandle, by = 1): void {
    const day = this.dayOf(this.clock.nowMs?.() ?? this.clock.now().getTime());
    if (handle.epoch !== this.epoch || handle.cell === null) {
      handle.cell = this.cellFor(day, handle.signal, handle.alias, handle.client, handle.tenant, handle.detail);
      handle.epoch = this.epoch;
    }
    handle.cell.count += by;
  }

  private cellFor(day: string, signal: string, alias: string, client: string, tenant: string, detail: string): Cell {
    const path = [day, signal, alias, client, tenant, detail];
    const existing = this.buffer.get(path);
    if (existing !== undefined) return existing;
    const cell: Cell = { day, signal, alias, client, tenant, detail, count: 0 };
    this.buffer.getOrCreate(path, () => cell);
    this.cells.push(cell);
    return cell;
  }

  /** Changes whenever cells found before may no longer be the buffer's: a batch was taken, or the day changed. */
  private epoch = 0;

  private day = { start: 0, end: 0, name: '' };

  /** The UTC day of `at`, formatted once per day rather than on every increment (hot path). */
  private dayOf(t: number): string {
    if (t < this.day.start || t >= this.day.end) {
      const start = t - (((t % 86_400_000) + 86_400_000) % 86_400_000);
      this.day = { start, end: start + 86_400_000, name: utcDay(new Date(t)) };
      this.epoch++;
    }
    return this.day.name;
  }

  /** Distinct label combinations waiting to be written (for metrics and tests). */
  get bufferedCells(): number {
    return this.cells.length + (this.pending?.cells.length ?? 0);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 2000);
    this.timer.unref();
  }

  /**
   * Writes what is buffered now, as one batch (first any batch left pending by a failed write).
   * Resolves true when nothing is left buffered or pending afterwards.
   */
  flush(): Promise<boolean> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Stops the timer and makes a last attempt (with retries until `deadlineMs`). */
  async stop(deadlineMs = 5000): Promise<boolean> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const until = Date.now() + deadlineMs;
    for (;;) {
      if (await this.flush()) return true;
      if (Date.now() > until) return false;
      // Wait only after a failed write; a successful one just leaves late increments to write.
      if (this.pending) await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async flushOnce(): Promise<boolean> {
    const retried = this.pending !== null;
    if (!this.pending) {
      if (this.cells.length === 0) {
        await this.options.afterFlush?.().catch((err) => this.options.onError?.(err));
        return true;
      }
      this.pending = { id: randomUUID(), cells: this.cells };
      this.cells = [];
      this.buffer.clear();
      this.epoch++;
    }
    const batch = this.pending;
    try {
      await this.write(batch.id, batch.cells);
      this.pending = null;
    } catch (err) {
      this.options.onError?.(err);
      return false;
    }
    // A pending retry written above: the increments buffered meanwhile go out in the same flush.
    if (retried && this.cells.length > 0) return this.flushOnce();
    await this.options.afterFlush?.().catch((err) => this.options.onError?.(err));
    // Under steady traffic the buffer refills while a batch is written; those increments wait
    // for the next interval, so a busy process writes one batch per interval, not back to back.
    return this.cells.length === 0;
  }

  private async write(batchId: string, cells: Cell[]): Promise<void> {
    await this.options.db.withTransaction(async (tx) => {
      const fresh = await tx.query('insert into telemetry.counter_batches (batch_id, instance_id) values ($1, $2) on conflict do nothing', [
        batchId,
        this.options.instanceId,
      ]);
      if (fresh.rowCount === 1) {
        await tx.query(
          `insert into telemetry.daily_counters as d (utc_day, signal, alias, client, tenant, detail, count)
           select * from unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
           on conflict (utc_day, signal, alias, client, tenant, detail) do update set count = d.count + excluded.count`,
          [
            cells.map((c) => c.day),
            cells.map((c) => c.signal),
            cells.map((c) => c.alias),
            cells.map((c) => c.client),
            cells.map((c) => c.tenant),
            cells.map((c) => c.detail),
            cells.map((c) => c.count),
          ],
        );
      }
    });
  }
}

export interface DailyTotal {
  day: string;
  signal: string;
  alias: string;
  client: string;
  tenant: string;
  detail: string;
  count: number;
}

/**
 * Reads counters between two UTC days inclusive, optionally for some signals only. Rows of
 * synthetic clients and tenants (the acceptance matrix) are left out unless asked for.
 */
export async function readDailyCounters(
  db: Queryable,
  fromDay: string,
  toDay: string,
  signals?: string[],
  synthetic: SyntheticFilter = 'exclude',
): Promise<DailyTotal[]> {
  const { rows } = await db.query(
    `select to_char(utc_day, 'YYYY-MM-DD') as day, signal, alias, client, tenant, detail, count::float8 as count
       from telemetry.daily_counters c
      where utc_day between $1::date and $2::date and ($3::text[] is null or signal = any($3)) and ${syntheticCondition(synthetic, 'c')}
      order by utc_day, signal, alias, client, tenant, detail`,
    [fromDay, toDay, signals ?? null],
  );
  return rows.map((r: any) => ({ ...r, count: Number(r.count) }));
}
