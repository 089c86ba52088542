/** One prom-client registry per component, so several components can share a process. */
import client from 'prom-client';
import { LabelIndex } from './label-index.ts';

export type MetricsRegistry = client.Registry;

/**
 * What a component's `/metrics` serves: its own registry, or — in a worker of a cluster —
 * the aggregate of every worker (src/host/cluster).
 */
export interface MetricsExposition {
  readonly contentType: string;
  metrics(): Promise<string>;
}

const DEFAULT_PREFIX = 'tenantgate_';

/**
 * prom-client's gauges of all active handles, requests and resources end in `_total`, which
 * Prometheus reserves for counters (`promtool check metrics` refuses them). Each is the sum of
 * its by-type gauge (`tenantgate_nodejs_active_handles{type}` …), so they are left out.
 */
const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function createRegistry(component: string, withDefaults = true): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ component });
  if (withDefaults) {
    client.collectDefaultMetrics({ register: registry, prefix: DEFAULT_PREFIX });
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(DEFAULT_PREFIX + name);
  }
  return registry;
}

/** Returns the metric registered under `name`, creating it once. */
export function counter<L extends string>(registry: client.Registry, name: string, help: string, labelNames: readonly L[]): client.Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Counter<L>;
  return new client.Counter<L>({ name, help, labelNames, registers: [registry] });
}

export function histogram<L extends string>(
  registry: client.Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets?: number[],
): client.Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Histogram<L>;
  return new client.Histogram<L>({ name, help, labelNames, registers: [registry], ...(buckets ? { buckets } : {}) });
}

export function gauge<L extends string>(registry: client.Registry, name: string, help: string, labelNames: readonly L[]): client.Gauge<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Gauge<L>;
  return new client.Gauge<L>({ name, help, labelNames, registers: [registry] });
}

/** One label combination of a HotCounter. */
export interface CounterCell {
  inc(): void;
}

interface PendingCell<L extends string> extends CounterCell {
  labels: Partial<Record<L, string>>;
  pending: number;
}

/**
 * A counter for per-request paths: `cell(...values)` returns a cell whose `inc()` is a plain
 * addition, and the sums are handed to prom-client whenever the registry is collected (every
 * scrape, every `get()`). A request pays no label validation or hashing; the exposition is
 * that of an ordinary prom-client counter.
 *
 * Cells live as long as the counter, so callers may keep them: one cell per label
 * combination, the same cardinality the prom-client counter keeps anyway (bounded by the
 * callers' label values).
 */
export class HotCounter<L extends string> {
  readonly metric: client.Counter<L>;
  private readonly cells: LabelIndex<PendingCell<L>>;
  /** Every cell, in the order first seen (what a scrape drains). */
  private readonly all: PendingCell<L>[] = [];

  private constructor(registry: client.Registry, name: string, help: string, private readonly labelNames: readonly L[]) {
    this.cells = new LabelIndex(Math.max(1, labelNames.length));
    const drain = () => this.drain();
    this.metric = new client.Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        drain();
      },
    });
  }

  private static readonly byMetric = new WeakMap<object, HotCounter<string>>();

  /** The hot counter registered under `name`, creating it once per registry. */
  static for<L extends string>(registry: client.Registry, name: string, help: string, labelNames: readonly L[]): HotCounter<L> {
    const existing = registry.getSingleMetric(name);
    const known = existing && HotCounter.byMetric.get(existing);
    if (known) return known as unknown as HotCounter<L>;
    if (existing) throw new Error(`metric ${name} is already registered as an ordinary metric`);
    const created = new HotCounter<L>(registry, name, help, labelNames);
    HotCounter.byMetric.set(created.metric, created as unknown as HotCounter<string>);
    return created;
  }

  /** The cell for these label values, in the order of the label names. */
  cell(...values: string[]): CounterCell {
    return this.cells.getOrCreate(values, () => {
      const labels: Partial<Record<L, string>> = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''));
      const fresh: PendingCell<L> = {
        labels,
        pending: 0,
        inc() {
          fresh.pending++;
        },
      };
      this.all.push(fresh);
      return fresh;
    });
  }

  /** Shorthand for `cell(...values).inc()`. */
  inc(...values: string[]): void {
    const known = this.cells.get(values);
    if (known !== undefined) known.pending++;
    else this.cell(...values).inc();
  }

  private drain(): void {
    for (const cell of this.all) {
      if (cell.pending === 0) continue;
      this.metric.inc(cell.labels as client.LabelValues<L>, cell.pending);
      cell.pending = 0;
    }
  }
}
