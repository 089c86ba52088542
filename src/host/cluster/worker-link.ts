/**
 * A worker's side of the cluster channel: it waits for what the primary hands it, says when it
 * serves (or why it could not), answers the primary's metric collections with its own
 * registries, and turns a scrape it receives into the cluster's aggregate. It drains once on
 * SIGTERM, SIGINT or the primary going away; the primary escalates, not a repeated signal.
 */
import type { Registry } from 'prom-client';
import { TenantgateError } from '../../contract/errors.ts';
import type { MetricsExposition } from '../../telemetry/metrics.ts';
import { isMessage, type PrimaryMessage, type WorkerMessage } from './messages.ts';

export class WorkerLink<P> {
  private readonly registries: Registry[] = [];
  private readonly scrapes = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  private scrapeSeq = 0;
  private started: ((payload: P) => void) | null = null;
  /** Why the worker was told to stop, once it was (it may still be starting). */
  private stopReason: string | null = null;
  private stopper: (() => void) | null = null;

  /** Stop requests are taken from the start: one that arrives while the worker starts waits for `onStop`. */
  constructor(private readonly scrapeTimeoutMs = 5_000) {
    process.on('message', (msg: unknown) => {
      if (isMessage<PrimaryMessage<P>>(msg)) this.onMessage(msg);
    });
    const request = (why: string) => {
      if (this.stopReason !== null) return;
      this.stopReason = why;
      // Still waiting for its start: nothing to drain.
      if (this.started !== null) process.exit(0);
      this.stopper?.();
    };
    process.on('SIGTERM', () => request('SIGTERM'));
    process.on('SIGINT', () => request('SIGINT'));
    process.on('disconnect', () => request('the cluster primary is gone'));
  }

  /** The primary's start message. */
  awaitStart(): Promise<P> {
    const started = new Promise<P>((resolve) => (this.started = resolve));
    void this.send({ type: 'tenantgate:ready' });
    return started;
  }

  /** What `/metrics` of this worker serves: the whole cluster, `registry` among it. */
  exposition(registry: Registry): MetricsExposition {
    this.registries.push(registry);
    return { contentType: registry.contentType, metrics: () => this.clusterMetrics() };
  }

  listening(url: string, instanceIds: string[]): void {
    void this.send({ type: 'tenantgate:listening', url, instanceIds });
  }

  /** Resolves once the message left (the worker exits next). */
  failed(message: string): Promise<void> {
    return this.send({ type: 'tenantgate:failed', message });
  }

  /** Runs `stop` once on SIGTERM, SIGINT or disconnection from the primary (now, if one came already), then exits. */
  onStop(stop: () => Promise<void>, log: (msg: string) => void): void {
    this.stopper = () => {
      log(`${this.stopReason}: draining`);
      stop().then(
        () => process.exit(0),
        (err: Error) => {
          log(`shutdown failed: ${err.message}`);
          process.exit(1);
        },
      );
    };
    if (this.stopReason !== null) this.stopper();
  }

  private send(msg: WorkerMessage): Promise<void> {
    return new Promise((resolve) => {
      if (!process.connected || !process.send) return resolve();
      process.send(msg, undefined, undefined, () => resolve());
    });
  }

  private clusterMetrics(): Promise<string> {
    const id = ++this.scrapeSeq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.scrapes.delete(id);
        reject(new TenantgateError('unavailable', 'the cluster primary did not answer the metrics scrape in time'));
      }, this.scrapeTimeoutMs);
      this.scrapes.set(id, { resolve, reject, timer });
      void this.send({ type: 'tenantgate:metrics-request', id });
    });
  }

  private onMessage(msg: PrimaryMessage<P>): void {
    switch (msg.type) {
      case 'tenantgate:start':
        this.started?.(msg.payload);
        this.started = null;
        return;
      case 'tenantgate:metrics-collect':
        Promise.all(this.registries.map((r) => r.getMetricsAsJSON())).then(
          (metrics) => void this.send({ type: 'tenantgate:metrics-part', id: msg.id, metrics }),
          () => void this.send({ type: 'tenantgate:metrics-part', id: msg.id, metrics: [] }),
        );
        return;
      case 'tenantgate:metrics-result': {
        const scrape = this.scrapes.get(msg.id);
        if (!scrape) return;
        this.scrapes.delete(msg.id);
        clearTimeout(scrape.timer);
        if (msg.text !== undefined) scrape.resolve(msg.text);
        else scrape.reject(new TenantgateError('unavailable', `the cluster's metrics could not be aggregated: ${msg.error ?? 'unknown error'}`));
        return;
      }
    }
  }
}
