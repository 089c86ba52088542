/**
 * The request metrics every component exports: `tenantgate_http_requests_total` by route,
 * method and status, and `tenantgate_http_request_duration_seconds` by route and method.
 * One instance per component, shared by the Fastify hooks and the gateway's data plane, so a
 * request counts once whichever of the two answered it.
 */
import { METHODS } from 'node:http';
import { LabelIndex } from '../telemetry/label-index.ts';
import { HotHistogram, type HistogramCell } from '../telemetry/hot-histogram.ts';
import { HotCounter, type CounterCell, type MetricsRegistry } from '../telemetry/metrics.ts';

/** The `method` label: one of the methods Node's HTTP parser knows (a fixed list), else `other`. */
const METHOD_LABELS: ReadonlySet<string> = new Set(METHODS);

/** Status labels as strings made once, so a lookup reuses a string (and its hash) rather than formatting one. */
const STATUS_LABELS: readonly string[] = Array.from({ length: 600 }, (_, i) => String(i));

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Child {
  count: CounterCell;
  duration: HistogramCell;
}

export class RequestMetrics {
  private readonly requests;
  private readonly latency;
  // Labelled children are looked up once per (route, method, status), not hashed per request.
  private readonly children = new LabelIndex<Child>(3);
  private childCount = 0;

  constructor(registry: MetricsRegistry) {
    this.requests = HotCounter.for(registry, 'tenantgate_http_requests_total', 'HTTP requests answered', ['route', 'method', 'status']);
    this.latency = HotHistogram.for(registry, 'tenantgate_http_request_duration_seconds', 'HTTP request duration', ['route', 'method'], DURATION_BUCKETS);
  }

  /** One answered request; `route` is bounded by the component (a declared pattern or its own table). */
  observe(route: string, method: string, status: number, seconds: number): void {
    const m = METHOD_LABELS.has(method) ? method : 'other';
    const labels = [route, m, STATUS_LABELS[status] ?? String(status)];
    let child = this.children.get(labels);
    if (child === undefined) {
      if (this.childCount >= 5_000) {
        this.children.clear();
        this.childCount = 0;
      }
      child = this.children.getOrCreate(labels, () => ({ count: this.requests.cell(route, m, labels[2]), duration: this.latency.cell(route, m) }));
      this.childCount++;
    }
    child.count.inc();
    child.duration.observe(seconds);
  }
}
