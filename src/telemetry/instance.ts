/**
 * The identity of one running process of one component: registered in
 * telemetry.instances, with a daily heartbeat row (a day without one is "no data"), the
 * flag version it runs and — for the Authority and the gateway — the issuer and key ids it
 * works with (src/telemetry/fleet-identity.ts compares them across the fleet).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queryable } from '../db/database.ts';
import { systemClock, utcDay, type Clock } from './clock.ts';

/** The token identity an instance works with; `keyIds` may change while it runs (rotation). */
export interface TokenIdentitySource {
  issuer: string;
  keyIds(): readonly string[];
  signingKid?(): string | null;
}

export const DEFAULT_HEARTBEAT_MS = 60_000;

/** An instance not seen for this many of its heartbeat periods is gone: shown as such, never counted as converged. */
export const GONE_AFTER_PERIODS = 3;

export class InstanceReporter {
  readonly instanceId: string;
  private flagVersion = 0;
  private identity: TokenIdentitySource | null = null;
  private lastBeat = 0;
  private services: string[] = [];

  constructor(
    private readonly db: Queryable,
    readonly component: string,
    /** `tickMs`: how often the caller calls `heartbeat()`; a heartbeat lands no more often than the slower of the two. */
    private readonly options: { clock?: Clock; heartbeatIntervalMs?: number; tickMs?: number } = {},
  ) {
    this.instanceId = `${component}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  /** The period heartbeats actually land at, recorded so status can tell when this instance is gone. */
  private get periodMs(): number {
    return Math.max(this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS, this.options.tickMs ?? 0);
  }

  private get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  /** Records what this instance issues or accepts; written now and with every heartbeat. */
  async reportIdentity(identity: TokenIdentitySource): Promise<void> {
    this.identity = identity;
    await this.writeIdentity();
  }

  private async writeIdentity(): Promise<void> {
    const id = this.identity;
    if (!id) return;
    await this.db.query('update telemetry.instances set issuer = $2, key_ids = $3, signing_kid = $4 where instance_id = $1', [
      this.instanceId,
      id.issuer,
      [...id.keyIds()].sort(),
      id.signingKid?.() ?? null,
    ]);
  }

  /**
   * The external services this instance routes to (a gateway): written on today's heartbeat
   * row now and on every heartbeat, so each day records which services had to report.
   */
  async declareServices(names: readonly string[]): Promise<void> {
    this.services = [...names].sort();
    await this.heartbeat(true);
  }

  async register(): Promise<void> {
    const now = this.clock.now();
    await this.db.query(
      `insert into telemetry.instances (instance_id, component, host, pid, started_at, last_seen, flag_version, heartbeat_interval_ms)
       values ($1, $2, $3, $4, $5, $5, $6, $7)
       on conflict (instance_id) do update set last_seen = excluded.last_seen, stopped_at = null, heartbeat_interval_ms = excluded.heartbeat_interval_ms`,
      [this.instanceId, this.component, hostname(), process.pid, now, this.flagVersion, this.periodMs],
    );
    await this.heartbeat(true);
  }

  /** Upserts today's heartbeat row; cheap to call often, writes at most once per interval. */
  async heartbeat(force = false): Promise<void> {
    const now = this.clock.now();
    const interval = this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS;
    const day = utcDay(now);
    if (!force && now.getTime() - this.lastBeat < interval && utcDay(new Date(this.lastBeat)) === day) return;
    await this.db.query(
      `insert into telemetry.heartbeats (utc_day, instance_id, component, first_seen, last_seen, services) values ($1, $2, $3, $4, $4, $5)
       on conflict (utc_day, instance_id) do update set last_seen = excluded.last_seen, services = excluded.services`,
      [day, this.instanceId, this.component, now, this.services],
    );
    await this.db.query('update telemetry.instances set last_seen = $2, flag_version = $3 where instance_id = $1', [this.instanceId, now, this.flagVersion]);
    await this.writeIdentity();
    this.lastBeat = now.getTime();
  }

  async reportFlagVersion(version: number): Promise<void> {
    this.flagVersion = version;
    await this.db.query('update telemetry.instances set flag_version = $2, last_seen = $3 where instance_id = $1', [this.instanceId, version, this.clock.now()]);
  }

  async deregister(): Promise<void> {
    await this.db.query('update telemetry.instances set stopped_at = $2 where instance_id = $1', [this.instanceId, this.clock.now()]);
  }
}

/**
 * Marks instances stopped on behalf of processes that died without deregistering (a cluster
 * primary for a worker that crashed), so `rollout status` stops counting them as running.
 */
export async function markInstancesStopped(db: Queryable, instanceIds: readonly string[], at: Date): Promise<void> {
  await db.query('update telemetry.instances set stopped_at = $2 where instance_id = any($1) and stopped_at is null', [[...instanceIds], at]);
}
