/**
 * Findings and their triage history. Every function takes the client of a `withTenant`
 * transaction; row-level security confines it to the request's tenant.
 */
import { actorName, lookupPeople } from '../../../identity/people.ts';
import type { TenantTx } from '../../../db/database.ts';
import type { FindingDraft } from '../engine/analyze-components.ts';
import { allocateSeqs, formatId } from './tenant-ids.ts';

export const triageStatuses = ['open', 'under_review', 'accepted_risk', 'false_positive', 'fixed'] as const;
export type TriageStatus = (typeof triageStatuses)[number];

export interface Finding {
  id: string;
  scanId: string;
  advisoryId: string;
  aliases: string[];
  severity: string;
  summary: string;
  package: { name: string; version: string; purl: string };
  fixedVersion: string | null;
  status: TriageStatus;
  createdAt: string;
  updatedAt: string;
}

export interface FindingRow extends Finding {
  seq: number;
}

export interface TriageChange {
  seq: number;
  fromStatus: TriageStatus | null;
  toStatus: TriageStatus;
  actor: string;
  /** The actor's username (or client name) when the actor is a known user or client. */
  actorName: string | null;
  client: string | null;
  clientName: string | null;
  note: string | null;
  changedAt: string;
}

const SELECT = `select id, seq, scan_id, advisory_id, aliases, severity, summary, package_name, package_version, purl, fixed_version,
       status, created_at, updated_at from scanner.findings`;

function toFinding(r: any): FindingRow {
  return {
    id: r.id,
    seq: Number(r.seq),
    scanId: r.scan_id,
    advisoryId: r.advisory_id,
    aliases: r.aliases,
    severity: r.severity,
    summary: r.summary,
    package: { name: r.package_name, version: r.package_version, purl: r.purl },
    fixedVersion: r.fixed_version,
    status: r.status,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** Inserts a scan's findings, each opening its history with `open`. */
export async function insertFindings(db: TenantTx, scanId: string, drafts: readonly FindingDraft[]): Promise<void> {
  const tenant = db.tenant;
  if (drafts.length === 0) return;
  const first = await allocateSeqs(db, 'finding', drafts.length);
  const seqs = drafts.map((_, i) => first + i);
  const ids = seqs.map((s) => formatId('finding', s));
  await db.query(
    `insert into scanner.findings (tenant_id, id, seq, scan_id, advisory_id, aliases, severity, summary, package_name, package_version, purl, fixed_version)
     select $1, f.id, f.seq, $2, f.advisory_id, array(select jsonb_array_elements_text(f.aliases)), f.severity, f.summary, f.package_name, f.package_version, f.purl, f.fixed_version
       from jsonb_to_recordset($3::jsonb) as f(id text, seq bigint, advisory_id text, aliases jsonb, severity text, summary text,
                                              package_name text, package_version text, purl text, fixed_version text)`,
    [
      tenant,
      scanId,
      JSON.stringify(
        drafts.map((d, i) => ({
          id: ids[i],
          seq: seqs[i],
          advisory_id: d.advisoryId,
          aliases: d.aliases,
          severity: d.severity,
          summary: d.summary,
          package_name: d.packageName,
          package_version: d.packageVersion,
          purl: d.purl,
          fixed_version: d.fixedVersion,
        })),
      ),
    ],
  );
  await db.query(
    `insert into scanner.finding_history (tenant_id, finding_id, seq, from_status, to_status, actor, note)
     select $1, id, 1, null, 'open', 'scanner', $2 from unnest($3::text[]) as id`,
    [tenant, `found by ${scanId}`, ids],
  );
}

export async function getFinding(db: TenantTx, id: string): Promise<FindingRow | null> {
  const { rows } = await db.query(`${SELECT} where id = $1`, [id]);
  return rows[0] ? toFinding(rows[0]) : null;
}

/** Findings of one scan in id order, `limit + 1` rows after the cursor. */
export async function listScanFindings(db: TenantTx, scanId: string, afterSeq: number | null, limit: number): Promise<FindingRow[]> {
  const { rows } = await db.query(`${SELECT} where scan_id = $1 and ($2::bigint is null or seq > $2) order by seq limit $3`, [scanId, afterSeq, limit + 1]);
  return rows.map(toFinding);
}

export interface FindingFilter {
  status?: TriageStatus;
  severity?: string;
  scanId?: string;
}

/** Triage queue: newest findings first, filtered. */
export async function listFindings(db: TenantTx, filter: FindingFilter, beforeSeq: number | null, limit: number): Promise<FindingRow[]> {
  const { rows } = await db.query(
    `${SELECT} where ($1::text is null or status = $1) and ($2::text is null or severity = $2) and ($3::text is null or scan_id = $3)
       and ($4::bigint is null or seq < $4) order by seq desc limit $5`,
    [filter.status ?? null, filter.severity ?? null, filter.scanId ?? null, beforeSeq, limit + 1],
  );
  return rows.map(toFinding);
}

export async function findingHistory(db: TenantTx, id: string): Promise<TriageChange[]> {
  const { rows } = await db.query(
    'select seq, from_status, to_status, actor, client, note, changed_at from scanner.finding_history where finding_id = $1 order by seq',
    [id],
  );
  const people = await lookupPeople(db, rows.flatMap((r) => [r.actor, r.client]));
  return rows.map((r) => ({
    seq: r.seq,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    actor: r.actor,
    actorName: actorName(r.actor, people),
    client: r.client,
    clientName: r.client ? (people.get(r.client)?.name ?? null) : null,
    note: r.note,
    changedAt: r.changed_at.toISOString(),
  }));
}

/**
 * Sets a finding's triage status and appends the change to its history (even when the
 * status stays the same, a note is a decision worth keeping). Null when the id is absent.
 */
export async function changeFindingStatus(
  db: TenantTx,
  id: string,
  change: { status: TriageStatus; note?: string | null; actor: string; client: string | null },
): Promise<FindingRow | null> {
  const tenant = db.tenant;
  const { rows } = await db.query<{ status: TriageStatus }>('select status from scanner.findings where id = $1 for update', [id]);
  if (rows.length === 0) return null;
  await db.query(
    `insert into scanner.finding_history (tenant_id, finding_id, seq, from_status, to_status, actor, client, note)
     select $1, $2, coalesce(max(seq), 0) + 1, $3, $4, $5, $6, $7 from scanner.finding_history where finding_id = $2`,
    [tenant, id, rows[0].status, change.status, change.actor, change.client, change.note ?? null],
  );
  await db.query('update scanner.findings set status = $2, updated_at = clock_timestamp() where id = $1', [id, change.status]);
  return getFinding(db, id);
}
