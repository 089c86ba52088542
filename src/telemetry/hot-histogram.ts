/**
 * A histogram for per-request paths. prom-client's own `observe` validates the label names
 * and builds a hash string of the label values on every call; here a request's cell is found
 * once per label combination (LabelIndex) and an observation is a bucket search and three
 * additions. The registry reads it like any prom-client metric (`get`, `reset`, the JSON the
 * cluster aggregates), and its exposition is that of a prom-client histogram: cumulative
 * `_bucket` series with `le`, then `+Inf`, `_sum` and `_count`.
 */
import client from 'prom-client';
import { LabelIndex } from './label-index.ts';

/** One label combination of a HotHistogram. */
export interface HistogramCell {
  observe(value: number): void;
}

interface Cell extends HistogramCell {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

/** One series of the exposition, as prom-client's metrics hand it to their registry. */
interface Value {
  value: number;
  labels: Record<string, string | number>;
  /** The cell's labels, in the form the registry's text exposition takes them. */
  sharedLabels?: Record<string, string>;
  metricName: string;
}

/** What a prom-client metric's `get` answers (at run time the type is the exposition's word). */
interface MetricJson {
  name: string;
  help: string;
  type: 'histogram';
  values: Value[];
  aggregator: client.Aggregator;
}

export class HotHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator: client.Aggregator = 'sum';
  private cells: LabelIndex<Cell>;
  private all: Cell[] = [];
  private readonly bounds: readonly number[];

  private constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    buckets: readonly number[],
  ) {
    this.bounds = [...buckets].sort((a, b) => a - b);
    this.cells = new LabelIndex(Math.max(1, labelNames.length));
  }

  private static readonly known = new WeakMap<object, HotHistogram<string>>();

  /** The hot histogram registered under `name`, creating it once per registry. */
  static for<L extends string>(registry: client.Registry, name: string, help: string, labelNames: readonly L[], buckets: readonly number[]): HotHistogram<L> {
    const existing = registry.getSingleMetric(name);
    if (existing !== undefined) {
      const known = HotHistogram.known.get(existing);
      if (known === undefined) throw new Error(`metric ${name} is already registered as an ordinary metric`);
      return known as unknown as HotHistogram<L>;
    }
    const created = new HotHistogram<L>(name, help, labelNames, buckets);
    registry.registerMetric(created as unknown as client.Metric);
    HotHistogram.known.set(created, created as unknown as HotHistogram<string>);
    return created;
  }

  /** The cell for these label values, in the order of the label names. */
  cell(...values: string[]): HistogramCell {
    return this.cells.getOrCreate(values, () => {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''));
      const bounds = this.bounds;
      const fresh: Cell = {
        labels,
        counts: new Array<number>(bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
        observe(value: number) {
          if (!Number.isFinite(value)) return;
          let i = 0;
          while (i < bounds.length && value > bounds[i]) i++;
          fresh.counts[i]++;
          fresh.sum += value;
          fresh.count++;
        },
      };
      this.all.push(fresh);
      return fresh;
    });
  }

  /**
   * What the registry renders: like prom-client's histograms, `le` as the series' own label
   * and the cell's labels as shared ones, so the exposition is the same line for line.
   */
  async getForPromString(): Promise<MetricJson> {
    const values: Value[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const cell of this.all) {
      // Like prom-client's, a label combination has series once it has been observed (and again after a reset).
      if (cell.count === 0) continue;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += cell.counts[i];
        values.push({ value: cumulative, labels: { le: this.bounds[i] }, sharedLabels: cell.labels, metricName: bucketName });
      }
      values.push({ value: cell.count, labels: { le: '+Inf' }, sharedLabels: cell.labels, metricName: bucketName });
      values.push({ value: cell.sum, labels: {}, sharedLabels: cell.labels, metricName: `${this.name}_sum` });
      values.push({ value: cell.count, labels: {}, sharedLabels: cell.labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** prom-client's metric JSON (what `getMetricsAsJSON` gives and the cluster aggregates): every label on the series. */
  async get(): Promise<MetricJson> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return data;
  }

  /** Forgets every observation (the registry's `resetMetrics`); cells handed out stay valid and start over. */
  reset(): void {
    for (const cell of this.all) {
      cell.counts.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
  }
}
