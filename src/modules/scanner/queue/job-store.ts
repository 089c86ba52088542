/**
 * The scan job queue (scanner.jobs): claimed across tenants with FOR UPDATE SKIP LOCKED and
 * a lease. The table holds only ids and lease bookkeeping — the scan's data stays behind
 * row-level security and is touched only inside withTenant(job.tenantId).
 */
import { TenantgateError } from '../../../contract/errors.ts';
import type { Queryable } from '../../../db/database.ts';

export interface ClaimedJob {
  id: string;
  tenantId: string;
  scanId: string;
  attempts: number;
  leaseToken: string;
}

/** Thrown inside a finishing transaction whose lease another worker has taken over: the work rolls back. */
export class LeaseLostError extends TenantgateError {
  constructor(jobId: string) {
    super('conflict', `the lease on scan job ${jobId} was lost to another worker`);
  }
}

/**
 * Claims the oldest job that is queued or whose lease has expired (its worker crashed or
 * stalled). SKIP LOCKED lets concurrent claimers pass each other instead of queueing.
 */
export async function claimJob(db: Queryable, owner: string, leaseToken: string, leaseSeconds: number): Promise<ClaimedJob | null> {
  const { rows } = await db.query(
    `with next as (
       select id from scanner.jobs
        where state = 'queued' or (state = 'running' and lease_expires_at < clock_timestamp())
        order by id
        for update skip locked
        limit 1
     )
     update scanner.jobs j
        set state = 'running', attempts = j.attempts + 1, lease_token = $1, lease_owner = $2,
            lease_expires_at = clock_timestamp() + make_interval(secs => $3)
       from next where j.id = next.id
     returning j.id, j.tenant_id, j.scan_id, j.attempts`,
    [leaseToken, owner, leaseSeconds],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return { id: String(r.id), tenantId: r.tenant_id, scanId: r.scan_id, attempts: r.attempts, leaseToken };
}

/** Extends a held lease; false when it was lost. */
export async function renewLease(db: Queryable, job: ClaimedJob, leaseSeconds: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `update scanner.jobs set lease_expires_at = clock_timestamp() + make_interval(secs => $3)
      where id = $1 and lease_token = $2 and state = 'running'`,
    [job.id, job.leaseToken, leaseSeconds],
  );
  return rowCount === 1;
}

/**
 * Marks the job finished in the caller's transaction, only while this worker still holds
 * the lease; otherwise throws LeaseLostError so the whole transaction (the scan's results
 * included) rolls back and the new holder's run is the one that counts.
 */
export async function finishJob(db: Queryable, job: ClaimedJob, state: 'done' | 'failed', owner: string): Promise<void> {
  const { rowCount } = await db.query(
    `update scanner.jobs set state = $3, finished_at = clock_timestamp(), finished_by = $4, lease_token = null, lease_expires_at = null
      where id = $1 and lease_token = $2 and state = 'running'`,
    [job.id, job.leaseToken, state, owner],
  );
  if (rowCount !== 1) throw new LeaseLostError(job.id);
}

/** Hands a job back to the queue at once (shutdown, transient failure) instead of waiting for the lease to expire. */
export async function releaseJob(db: Queryable, job: ClaimedJob): Promise<void> {
  await db.query(
    `update scanner.jobs set state = 'queued', lease_token = null, lease_owner = null, lease_expires_at = null
      where id = $1 and lease_token = $2 and state = 'running'`,
    [job.id, job.leaseToken],
  );
}

/** Marks the job of a scan that was executed in place (demo seed) as done, so no worker takes it. */
export async function markJobDoneInline(db: Queryable, tenant: string, scanId: string, by: string): Promise<void> {
  await db.query(
    `update scanner.jobs set state = 'done', attempts = attempts + 1, finished_at = clock_timestamp(), finished_by = $3
      where tenant_id = $1 and scan_id = $2 and state = 'queued'`,
    [tenant, scanId, by],
  );
}
