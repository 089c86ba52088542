/**
 * Unknowns: components a scan could not identify. One row per distinct component and
 * reason in a tenant; each scan that meets it again adds an observation, which is both
 * its evidence and its history. Functions take the client of a `withTenant` transaction.
 */
import type { TenantTx } from '../../../db/database.ts';
import type { UnknownDraft, UnknownEvidence } from '../engine/analyze-components.ts';
import { allocateSeqs, formatId } from './tenant-ids.ts';

export interface Unknown {
  id: string;
  componentName: string;
  componentVersion: string | null;
  purl: string | null;
  reason: string;
  detail: string;
  firstScanId: string;
  observationCount: number;
  firstSeen: string;
  lastSeen: string;
}

export interface UnknownRow extends Unknown {
  seq: number;
}

export interface UnknownObservation {
  seq: number;
  scanId: string;
  imageDigest: string;
  evidence: UnknownEvidence;
  observedAt: string;
}

const SELECT = `select u.id, u.seq, u.component_name, u.component_version, u.purl, u.reason, u.detail, u.first_scan_id, u.first_seen, u.last_seen,
       (select count(*)::int from scanner.unknown_observations o where o.tenant_id = u.tenant_id and o.unknown_id = u.id) as observation_count
  from scanner.unknowns u`;

function toUnknown(r: any): UnknownRow {
  return {
    id: r.id,
    seq: Number(r.seq),
    componentName: r.component_name,
    componentVersion: r.component_version,
    purl: r.purl,
    reason: r.reason,
    detail: r.detail,
    firstScanId: r.first_scan_id,
    observationCount: r.observation_count,
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
  };
}

/** Records a scan's unknowns: new ones get ids, known ones a new observation. */
export async function recordUnknowns(db: TenantTx, scanId: string, imageDigest: string, drafts: readonly UnknownDraft[]): Promise<void> {
  const tenant = db.tenant;
  if (drafts.length === 0) return;
  // Two workers finishing scans of one tenant at once must not both create the same unknown.
  await db.query("select pg_advisory_xact_lock(hashtext('tenantgate:scanner:unknowns'), hashtext($1))", [tenant]);
  const keys = drafts.map((d) => d.identityKey);
  const { rows } = await db.query<{ id: string; identity_key: string }>('select id, identity_key from scanner.unknowns where identity_key = any($1::text[])', [keys]);
  const existing = new Map(rows.map((r) => [r.identity_key, r.id]));
  const fresh = drafts.filter((d) => !existing.has(d.identityKey));
  if (fresh.length > 0) {
    const first = await allocateSeqs(db, 'unknown', fresh.length);
    await db.query(
      `insert into scanner.unknowns (tenant_id, id, seq, identity_key, component_name, component_version, purl, reason, detail, first_scan_id)
       select $1, u.id, u.seq, u.identity_key, u.name, u.version, u.purl, u.reason, u.detail, $2
         from jsonb_to_recordset($3::jsonb) as u(id text, seq bigint, identity_key text, name text, version text, purl text, reason text, detail text)`,
      [
        tenant,
        scanId,
        JSON.stringify(
          fresh.map((d, i) => {
            existing.set(d.identityKey, formatId('unknown', first + i));
            return { id: formatId('unknown', first + i), seq: first + i, identity_key: d.identityKey, name: d.name, version: d.version, purl: d.purl, reason: d.reason, detail: d.detail };
          }),
        ),
      ],
    );
  }
  await db.query(
    `insert into scanner.unknown_observations (tenant_id, unknown_id, seq, scan_id, image_digest, evidence)
     select $1, o.unknown_id,
            coalesce((select max(seq) from scanner.unknown_observations p where p.unknown_id = o.unknown_id), 0) + 1,
            $2, $3, o.evidence
       from jsonb_to_recordset($4::jsonb) as o(unknown_id text, evidence jsonb)`,
    [tenant, scanId, imageDigest, JSON.stringify(drafts.map((d) => ({ unknown_id: existing.get(d.identityKey), evidence: d.evidence })))],
  );
  await db.query('update scanner.unknowns set last_seen = clock_timestamp() where id = any($1::text[])', [drafts.map((d) => existing.get(d.identityKey))]);
}

export async function getUnknown(db: TenantTx, id: string): Promise<UnknownRow | null> {
  const { rows } = await db.query(`${SELECT} where u.id = $1`, [id]);
  return rows[0] ? toUnknown(rows[0]) : null;
}

/** Newest first, `limit + 1` rows before the cursor. */
export async function listUnknowns(db: TenantTx, filter: { reason?: string; scanId?: string }, beforeSeq: number | null, limit: number): Promise<UnknownRow[]> {
  const { rows } = await db.query(
    `${SELECT} where ($1::text is null or u.reason = $1)
        and ($2::text is null or exists (select 1 from scanner.unknown_observations o where o.tenant_id = u.tenant_id and o.unknown_id = u.id and o.scan_id = $2))
        and ($3::bigint is null or u.seq < $3)
      order by u.seq desc limit $4`,
    [filter.reason ?? null, filter.scanId ?? null, beforeSeq, limit + 1],
  );
  return rows.map(toUnknown);
}

/** Observations of an unknown, oldest first. */
export async function unknownObservations(db: TenantTx, id: string): Promise<UnknownObservation[]> {
  const { rows } = await db.query('select seq, scan_id, image_digest, evidence, observed_at from scanner.unknown_observations where unknown_id = $1 order by seq', [id]);
  return rows.map((r) => ({ seq: r.seq, scanId: r.scan_id, imageDigest: r.image_digest, evidence: r.evidence, observedAt: r.observed_at.toISOString() }));
}
