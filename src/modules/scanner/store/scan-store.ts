/**
 * Scan rows and their queue jobs. Every function takes the client of a `withTenant`
 * transaction; row-level security confines reads and writes to that tenant.
 */
import type { TenantTx } from '../../../db/database.ts';
import { allocateSeqs, formatId, reserveSeq } from './tenant-ids.ts';

export type ScanStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface Scan {
  id: string;
  imageDigest: string;
  imageName: string | null;
  status: ScanStatus;
  source: string;
  requestedBy: string;
  sbomAttached: boolean;
  componentCount: number | null;
  findingCount: number | null;
  unknownCount: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface NewScan {
  imageDigest: string;
  imageName?: string | null;
  sbom?: unknown;
  source: string;
  requestedBy: string;
  /** A fixed number (demo data); otherwise the next one of the tenant. */
  seq?: number;
}

const SELECT = `select id, seq, image_digest, image_name, status, source, requested_by, sbom is not null as sbom_attached,
       component_count, finding_count, unknown_count, error, created_at, started_at, completed_at
  from scanner.scans`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface ScanRow extends Scan {
  seq: number;
}

function toScan(r: any): ScanRow {
  return {
    id: r.id,
    seq: Number(r.seq),
    imageDigest: r.image_digest,
    imageName: r.image_name,
    status: r.status,
    source: r.source,
    requestedBy: r.requested_by,
    sbomAttached: r.sbom_attached,
    componentCount: r.component_count,
    findingCount: r.finding_count,
    unknownCount: r.unknown_count,
    error: r.error,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
  };
}

/** Inserts a queued scan and its job in the caller's transaction: both commit or neither. */
export async function createScan(db: TenantTx, scan: NewScan): Promise<ScanRow> {
  const tenant = db.tenant;
  let seq = scan.seq;
  if (seq === undefined) seq = await allocateSeqs(db, 'scan', 1);
  else await reserveSeq(db, 'scan', seq);
  const id = formatId('scan', seq);
  await db.query(
    `insert into scanner.scans (tenant_id, id, seq, image_digest, image_name, status, source, requested_by, sbom)
     values ($1, $2, $3, $4, $5, 'queued', $6, $7, $8)`,
    [tenant, id, seq, scan.imageDigest, scan.imageName ?? null, scan.source, scan.requestedBy, scan.sbom === undefined ? null : JSON.stringify(scan.sbom)],
  );
  await db.query('insert into scanner.jobs (tenant_id, scan_id) values ($1, $2)', [tenant, id]);
  return (await getScan(db, id))!;
}

export async function getScan(db: TenantTx, id: string): Promise<ScanRow | null> {
  const { rows } = await db.query(`${SELECT} where id = $1`, [id]);
  return rows[0] ? toScan(rows[0]) : null;
}

/** Newest first; `limit + 1` rows so the caller can tell whether more exist. */
export async function listScans(db: TenantTx, beforeSeq: number | null, limit: number, filter: { status?: ScanStatus; imageDigest?: string } = {}): Promise<ScanRow[]> {
  const { rows } = await db.query(
    `${SELECT} where ($1::bigint is null or seq < $1) and ($2::text is null or status = $2) and ($3::text is null or image_digest = $3)
     order by seq desc limit $4`,
    [beforeSeq, filter.status ?? null, filter.imageDigest ?? null, limit + 1],
  );
  return rows.map(toScan);
}

/** The scan row locked for the rest of the transaction, with the SBOM to use. */
export async function lockScanForWork(db: TenantTx, id: string): Promise<{ status: ScanStatus; imageDigest: string; sbom: unknown } | null> {
  const { rows } = await db.query(
    `select s.status, s.image_digest, coalesce(s.sbom, r.sbom) as sbom
       from scanner.scans s left join scanner.sboms r on r.tenant_id = s.tenant_id and r.image_digest = s.image_digest
      where s.id = $1 for update of s`,
    [id],
  );
  return rows[0] ? { status: rows[0].status, imageDigest: rows[0].image_digest, sbom: rows[0].sbom } : null;
}

export async function markScanCompleted(db: TenantTx, id: string, counts: { components: number; findings: number; unknowns: number }, startedAt: Date): Promise<void> {
  await db.query(
    `update scanner.scans set status = 'completed', component_count = $2, finding_count = $3, unknown_count = $4, error = null,
            started_at = $5, completed_at = clock_timestamp()
      where id = $1`,
    [id, counts.components, counts.findings, counts.unknowns, startedAt],
  );
}

export async function markScanFailed(db: TenantTx, id: string, error: string): Promise<void> {
  await db.query(`update scanner.scans set status = 'failed', error = $2, completed_at = clock_timestamp() where id = $1`, [id, error]);
}

export async function markScanRunning(db: TenantTx, id: string): Promise<void> {
  await db.query(`update scanner.scans set status = 'running', started_at = coalesce(started_at, clock_timestamp()) where id = $1 and status = 'queued'`, [id]);
}

/** A scan whose job went back to the queue (worker shutdown) shows as queued again. */
export async function markScanRequeued(db: TenantTx, id: string): Promise<void> {
  await db.query(`update scanner.scans set status = 'queued' where id = $1 and status = 'running'`, [id]);
}
