/**
 * A named lease in `rollout.leases`: at most one holder at a time across every instance,
 * for work that spans many transactions (the rollback playbook, a monitor evaluation).
 *
 * Why a row and not a session advisory lock: behind a transaction pooler (pgbouncer
 * `pool_mode = transaction`) each statement of a client "session" may run on a different
 * server connection, so `pg_advisory_lock` lands on one server session and the unlock on
 * another; a second holder whose statement reaches the same server session is granted the
 * lock again (advisory locks are re-entrant per session), and the lock leaks to whoever
 * gets that connection next. Why not one long transaction around `pg_advisory_xact_lock`:
 * the playbook's steps must be visible as they happen (each commits on its own), and the
 * revert hook and the acceptance matrix can take minutes, pinning an idle-in-transaction
 * server connection that long (and managed services end those with
 * idle_in_transaction_session_timeout).
 *
 * So: claimed by one atomic statement (INSERT … ON CONFLICT DO UPDATE … WHERE the lease
 * expired — concurrent claimers serialize on the row, exactly one sees it free), renewed
 * by its holder every third of the TTL, released by deleting it. A crashed holder stops
 * renewing and its lease expires after `ttlMs`. Expiry is judged by the database clock, so
 * instances with skewed clocks agree. A holder that could not renew in time (a long pause,
 * an outage) has lost the lease and must stop: `assertHeld()` before each step.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { RolloutRefusal } from '../operations/refusal.ts';

export interface LeaseOptions {
  /** How long the lease outlives its holder's last renewal. */
  ttlMs?: number;
  /** How long `acquireLease` waits for the current holder to finish. */
  waitMs?: number;
  /** How often a waiting claimer looks again. */
  retryMs?: number;
}

export const DEFAULT_LEASE_TTL_MS = 30_000;

export class LeaseLostError extends RolloutRefusal {}

export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** Throws LeaseLostError once the lease may have passed to someone else. */
  assertHeld(): void;
  release(): Promise<void>;
}

async function claim(db: Queryable, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into rollout.leases (name, holder, expires_at) values ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
     on conflict (name) do update set holder = excluded.holder, acquired_at = clock_timestamp(), expires_at = excluded.expires_at
     where rollout.leases.expires_at < clock_timestamp()`,
    [name, holder, ttlMs],
  );
  return rowCount === 1;
}

function held(db: Queryable, name: string, holder: string, ttlMs: number): Lease {
  // Local deadline: the lease is surely ours until `ttlMs` after a renewal was sent.
  let deadline = performance.now() + ttlMs;
  let lost = false;
  let renewing: Promise<void> | null = null;
  const renew = async () => {
    const sent = performance.now();
    try {
      const { rowCount } = await db.query(
        `update rollout.leases set expires_at = clock_timestamp() + $3 * interval '1 millisecond' where name = $1 and holder = $2`,
        [name, holder, ttlMs],
      );
      if (rowCount === 1) deadline = sent + ttlMs;
      else lost = true;
    } catch {
      // An outage: the next renewal tries again; the deadline decides whether it is lost.
    }
  };
  const timer = setInterval(() => {
    renewing ??= renew().finally(() => {
      renewing = null;
    });
  }, Math.max(10, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    name,
    holder,
    assertHeld() {
      if (lost || performance.now() > deadline) {
        throw new LeaseLostError(`the ${name} lease expired before this run finished (another run may have taken over); the steps done so far are recorded — run it again`);
      }
    },
    async release() {
      clearInterval(timer);
      await renewing;
      await db.query('delete from rollout.leases where name = $1 and holder = $2', [name, holder]).catch(() => undefined);
    },
  };
}

/** The lease if it is free now, else null (someone else is at it). */
export async function tryAcquireLease(db: Queryable, name: string, options: LeaseOptions = {}): Promise<Lease | null> {
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const holder = randomUUID();
  return (await claim(db, name, holder, ttlMs)) ? held(db, name, holder, ttlMs) : null;
}

/** Waits (up to `waitMs`) for the lease; a holder that crashed is waited out by its TTL. */
export async function acquireLease(db: Queryable, name: string, options: LeaseOptions = {}): Promise<Lease> {
  const waitMs = options.waitMs ?? 5 * 60_000;
  const retryMs = options.retryMs ?? 200;
  const until = performance.now() + waitMs;
  for (;;) {
    const lease = await tryAcquireLease(db, name, options);
    if (lease) return lease;
    if (performance.now() >= until) throw new RolloutRefusal(`another ${name} run has held its lease for over ${Math.round(waitMs / 1000)} s; try again when it is done`);
    await new Promise((r) => setTimeout(r, retryMs));
  }
}

/** Runs `fn` holding the lease (waiting for it first), and releases it on every path. */
export async function withLease<T>(db: Queryable, name: string, options: LeaseOptions, fn: (lease: Lease) => Promise<T>): Promise<T> {
  const lease = await acquireLease(db, name, options);
  try {
    return await fn(lease);
  } finally {
    await lease.release();
  }
}
