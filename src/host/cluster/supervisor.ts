/**
 * The primary of a component that runs as several processes on one port (node:cluster): it
 * forks the workers, hands each what it needs to start, replaces a worker that dies (with
 * backoff, logged), answers a scrape arriving at any worker with the metrics of all of them
 * aggregated, and on stop drains every worker before it returns. The primary serves no
 * request and holds no instance identity of its own: each worker registers its own.
 */
import cluster, { type Worker } from 'node:cluster';
import type pino from 'pino';
import { AggregatorRegistry, Gauge, type Registry } from 'prom-client';
import { counter, createRegistry, gauge } from '../../telemetry/metrics.ts';
import { isMessage, type MetricsJson, type PrimaryMessage, type WorkerMessage } from './messages.ts';
import { defaultBackoff, RestartBackoff, type BackoffOptions } from './restart-backoff.ts';

export interface SupervisorOptions<P> {
  /** The component's name (metrics label, log lines). */
  name: string;
  workers: number;
  /** What every worker receives before it starts (structured clone: Dates and Maps survive). */
  payload: P;
  logger: pino.Logger;
  backoff?: BackoffOptions;
  /** How long `stop` waits for the workers to drain before it kills the rest. */
  stopTimeoutMs: number;
  /** How long a scrape waits for the workers' metrics. */
  scrapeTimeoutMs?: number;
  /** A worker died without deregistering: the instance ids it had registered. */
  onWorkerLost?: (instanceIds: string[]) => Promise<void>;
}

interface Slot {
  index: number;
  worker: Worker | null;
  startedAt: number;
  serving: boolean;
  instanceIds: string[];
  failure: string | null;
  backoff: RestartBackoff;
  restartTimer: NodeJS.Timeout | null;
}

interface Scrape {
  waiting: Set<number>;
  answered: number;
  parts: MetricsJson[];
  finish: () => void;
}

export class Supervisor<P> {
  private readonly slots: Slot[];
  private readonly registry: Registry;
  private readonly restarts;
  private readonly answered;
  private stopping: Promise<boolean> | null = null;
  private starting: { resolve: (url: string) => void; reject: (err: Error) => void } | null = null;
  private url = '';
  private scrapeSeq = 0;
  private readonly scrapes = new Map<number, Scrape>();

  constructor(private readonly options: SupervisorOptions<P>) {
    this.slots = Array.from({ length: options.workers }, (_, index) => ({
      index,
      worker: null,
      startedAt: 0,
      serving: false,
      instanceIds: [],
      failure: null,
      backoff: new RestartBackoff(options.backoff ?? defaultBackoff),
      restartTimer: null,
    }));
    this.registry = createRegistry(options.name, false);
    const slots = this.slots;
    new Gauge({
      name: 'tenantgate_cluster_workers',
      help: 'Worker processes of this cluster: configured, and serving now',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.set({ state: 'configured' }, slots.length);
        this.set({ state: 'serving' }, slots.filter((s) => s.serving).length);
      },
    });
    this.restarts = counter(this.registry, 'tenantgate_cluster_worker_restarts_total', 'Workers replaced after they died', []);
    this.answered = gauge(this.registry, 'tenantgate_cluster_scrape_workers', 'Workers whose metrics this scrape aggregates (fewer than serving: one did not answer in time)', []);
  }

  /** Forks every worker; resolves with the URL they serve once all serve. A worker that cannot start stops the rest, and rejects. */
  start(): Promise<string> {
    // Workers run the same command line; the payload travels as a structured clone.
    cluster.setupPrimary({ serialization: 'advanced' });
    return new Promise<string>((resolve, reject) => {
      this.starting = { resolve, reject };
      for (const slot of this.slots) this.fork(slot);
    });
  }

  /** Drains every worker (SIGTERM; SIGKILL after `stopTimeoutMs`). True when each exited 0. */
  stop(): Promise<boolean> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  /** Last resort on the primary's own exit: no worker outlives it. */
  killAll(): void {
    for (const slot of this.slots) slot.worker?.process.kill('SIGKILL');
  }

  private fork(slot: Slot): void {
    slot.restartTimer = null;
    slot.serving = false;
    slot.instanceIds = [];
    slot.failure = null;
    slot.startedAt = Date.now();
    const worker = cluster.fork();
    slot.worker = worker;
    worker.on('message', (msg: unknown) => {
      if (isMessage<WorkerMessage>(msg)) this.onMessage(slot, worker, msg);
    });
    worker.on('exit', (code, signal) => this.onExit(slot, worker, code, signal));
    // An IPC error (a worker gone mid-send) shows up as its exit.
    worker.on('error', () => undefined);
  }

  private send(worker: Worker, msg: PrimaryMessage<P>): void {
    if (worker.isConnected()) worker.send(msg);
  }

  private onMessage(slot: Slot, worker: Worker, msg: WorkerMessage): void {
    switch (msg.type) {
      case 'tenantgate:ready':
        this.send(worker, { type: 'tenantgate:start', payload: this.options.payload });
        return;
      case 'tenantgate:listening': {
        slot.serving = true;
        slot.instanceIds = msg.instanceIds;
        this.url = msg.url;
        const restarted = !this.starting;
        if (restarted) this.options.logger.info({ worker: slot.index + 1, pid: worker.process.pid }, `${this.options.name} worker serving again`);
        if (this.starting && this.slots.every((s) => s.serving)) {
          this.starting.resolve(this.url);
          this.starting = null;
        }
        return;
      }
      case 'tenantgate:failed':
        slot.failure = msg.message;
        return;
      case 'tenantgate:metrics-part': {
        const scrape = this.scrapes.get(msg.id);
        if (!scrape || !scrape.waiting.delete(worker.id)) return;
        scrape.parts.push(...msg.metrics);
        scrape.answered++;
        if (scrape.waiting.size === 0) scrape.finish();
        return;
      }
      case 'tenantgate:metrics-request':
        this.aggregate().then(
          (text) => this.send(worker, { type: 'tenantgate:metrics-result', id: msg.id, text }),
          (err: Error) => this.send(worker, { type: 'tenantgate:metrics-result', id: msg.id, error: err.message }),
        );
        return;
    }
  }

  private onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    slot.serving = false;
    for (const scrape of this.scrapes.values()) if (scrape.waiting.delete(worker.id) && scrape.waiting.size === 0) scrape.finish();
    if (this.stopping) return;
    const ranMs = Date.now() - slot.startedAt;
    const lost = slot.instanceIds;
    if (lost.length > 0) void this.options.onWorkerLost?.(lost).catch((err: Error) => this.options.logger.warn({ err: err.message }, 'could not mark the dead worker\'s instance stopped'));
    if (this.starting) {
      // Before the cluster first served: the same failure would repeat in every worker.
      const reason = slot.failure ?? `exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
      const starting = this.starting;
      this.starting = null;
      void this.stop().then(() => starting.reject(new Error(`${this.options.name} worker ${slot.index + 1} could not start: ${reason}`)));
      return;
    }
    const delay = slot.backoff.next(ranMs);
    this.restarts.inc();
    this.options.logger.error(
      { worker: slot.index + 1, pid: worker.process.pid, code, signal, ranMs, restartInMs: delay, ...(slot.failure ? { failure: slot.failure } : {}) },
      `${this.options.name} worker exited; starting a new one in ${delay} ms`,
    );
    slot.restartTimer = setTimeout(() => this.fork(slot), delay);
  }

  private async drain(): Promise<boolean> {
    for (const slot of this.slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
    }
    const live = this.slots.map((s) => s.worker).filter((w): w is Worker => w !== null);
    const exits = live.map(
      (w) =>
        new Promise<boolean>((resolve) => {
          if (w.process.exitCode !== null || w.process.signalCode !== null) return resolve(w.process.exitCode === 0);
          w.once('exit', (code) => resolve(code === 0));
        }),
    );
    for (const w of live) w.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      this.options.logger.error({ stopTimeoutMs: this.options.stopTimeoutMs }, `${this.options.name} workers did not stop in time; killing them`);
      for (const w of live) w.process.kill('SIGKILL');
    }, this.options.stopTimeoutMs);
    const clean = await Promise.all(exits);
    clearTimeout(killer);
    return clean.every(Boolean);
  }

  /** One scrape: every serving worker's registries and the primary's own, aggregated. */
  private async aggregate(): Promise<string> {
    const id = ++this.scrapeSeq;
    const targets = this.slots.filter((s) => s.serving && s.worker?.isConnected()).map((s) => s.worker!);
    const scrape: Scrape = { waiting: new Set(targets.map((w) => w.id)), answered: 0, parts: [], finish: () => undefined };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => scrape.finish(), this.options.scrapeTimeoutMs ?? 2_000);
      scrape.finish = () => {
        clearTimeout(timer);
        this.scrapes.delete(id);
        resolve();
      };
      this.scrapes.set(id, scrape);
      if (targets.length === 0) return scrape.finish();
      for (const w of targets) this.send(w, { type: 'tenantgate:metrics-collect', id });
    });
    this.answered.set(scrape.answered);
    const parts = scrape.parts;
    return AggregatorRegistry.aggregate([...parts, await this.registry.getMetricsAsJSON()]).metrics();
  }
}
