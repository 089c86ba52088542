/**
 * The scanner's workers: each loops claim → (optional delay) → execute in the job's tenant →
 * finish, renewing its lease while it works. Several processes run them against one
 * database; the queue's leases decide who does what, and a crashed process's jobs come
 * back once their leases expire.
 */
import { randomUUID } from 'node:crypto';
import type pino from 'pino';
import type { Database } from '../../../db/database.ts';
import type { MetricsRegistry } from '../../../telemetry/metrics.ts';
import { counter, histogram } from '../../../telemetry/metrics.ts';
import type { AdvisoryIndex } from '../engine/advisory-index.ts';
import { executeScan } from '../engine/execute-scan.ts';
import { markScanFailed, markScanRequeued, markScanRunning } from '../store/scan-store.ts';
import { claimJob, finishJob, LeaseLostError, releaseJob, renewLease, type ClaimedJob } from './job-store.ts';
import { outageCause } from '../../../db/unavailable.ts';
import { RateLimitedLog } from '../../../host/rate-limited-log.ts';

/** While the database is away every worker retries each poll: one log line per cause per 10 s. */
const claimLog = new RateLimitedLog(10_000, Date.now, 'claiming a scan job failed; retrying');
/** Jobs an outage interrupts: one line per cause per interval, not a stack trace per job. */
const jobOutageLog = new RateLimitedLog(10_000, Date.now, 'scan job interrupted by a database outage; handing it back to the queue');

export interface ScanWorkerOptions {
  db: Database;
  index: AdvisoryIndex;
  workers: number;
  owner: string;
  leaseSeconds: number;
  pollIntervalMs: number;
  maxAttempts: number;
  scanDelayMs: number;
  logger: pino.Logger;
  metrics: MetricsRegistry;
}

export class ScanWorkers {
  private stopping = false;
  private loops: Promise<void>[] = [];
  /** Sleepers woken by nudge() and stop(): idle workers. */
  private wakers = new Set<() => void>();
  /** Sleepers woken only by stop(): a job's deliberate delay. */
  private stoppers = new Set<() => void>();
  private readonly scans;
  private readonly duration;

  constructor(private readonly options: ScanWorkerOptions) {
    this.scans = counter(options.metrics, 'tenantgate_scanner_jobs_total', 'Scan jobs handled, by outcome', ['outcome']);
    this.duration = histogram(options.metrics, 'tenantgate_scanner_scan_duration_seconds', 'Time to execute one scan', [], [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30]);
  }

  start(): void {
    for (let i = 0; i < this.options.workers; i++) this.loops.push(this.loop(`${this.options.owner}:w${i}`));
  }

  /** Wakes idle workers (a scan was just enqueued by this process). */
  nudge(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** Stops claiming; a job in its delay is handed back, one mid-transaction finishes first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.nudge();
    for (const wake of [...this.stoppers]) wake();
    await Promise.all(this.loops);
  }

  private async loop(owner: string): Promise<void> {
    while (!this.stopping) {
      let job: ClaimedJob | null = null;
      try {
        job = await claimJob(this.options.db, owner, randomUUID(), this.options.leaseSeconds);
      } catch (err) {
        claimLog.failure(this.options.logger, err);
      }
      if (!job) {
        await this.idle(this.options.pollIntervalMs);
        continue;
      }
      await this.process(job, owner);
    }
  }

  private async process(job: ClaimedJob, owner: string): Promise<void> {
    const { db, leaseSeconds, logger } = this.options;
    const renew = setInterval(() => {
      renewLease(db, job, leaseSeconds).catch(() => undefined);
    }, Math.max(200, (leaseSeconds * 1000) / 3));
    const started = new Date();
    const stopTimer = this.duration.startTimer();
    try {
      if (job.attempts > this.options.maxAttempts) {
        await db.withTenant(job.tenantId, async (c) => {
          await markScanFailed(c, job.scanId, `gave up after ${job.attempts - 1} attempts`);
          await finishJob(c, job, 'failed', owner);
        });
        this.scans.inc({ outcome: 'gave_up' });
        return;
      }
      await db.withTenant(job.tenantId, (c) => markScanRunning(c, job.scanId));
      if (this.options.scanDelayMs > 0) await this.idle(this.options.scanDelayMs, this.stoppers);
      if (this.stopping) {
        await db.withTenant(job.tenantId, async (c) => {
          await markScanRequeued(c, job.scanId);
          await releaseJob(c, job);
        });
        return;
      }
      const result = await db.withTenant(job.tenantId, async (c) => {
        const execution = await executeScan(c, job.scanId, this.options.index, started);
        await finishJob(c, job, execution.outcome === 'failed' ? 'failed' : 'done', owner);
        return execution;
      });
      this.scans.inc({ outcome: result.outcome });
      logger.debug({ job: job.id, tenant: job.tenantId, scan: job.scanId, outcome: result.outcome }, 'scan job finished');
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.scans.inc({ outcome: 'lease_lost' });
        logger.warn({ job: job.id, scan: job.scanId }, err.message);
        return;
      }
      this.scans.inc({ outcome: 'error' });
      const outage = outageCause(err);
      if (outage) jobOutageLog.record(logger, outage, (err as Error).message, { job: job.id, scan: job.scanId });
      else logger.error({ err, job: job.id, scan: job.scanId }, 'scan job failed; handing it back to the queue');
      await releaseJob(db, job).catch(() => undefined);
    } finally {
      clearInterval(renew);
      stopTimer();
    }
  }

  private idle(ms: number, wakers = this.wakers): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  }
}
