/**
 * Writes an ingested SBOM's nodes and edges in the request's tenant (client of a withTenant
 * tx). Re-ingesting the same document is idempotent: the SBOM id is its content hash.
 */
import { createHash } from 'node:crypto';
import type { TenantTx } from '../../../db/database.ts';
import type { CycloneDxGraph } from '../ingest/read-cyclonedx-graph.ts';

export interface IngestResult {
  sbomId: string;
  duplicate: boolean;
  nodes: number;
  edges: number;
  skipped: number;
}

export function sbomIdFor(document: unknown): string {
  return `sbom-${createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, 24)}`;
}

export async function writeSbomGraph(db: TenantTx, actor: string, sbomId: string, graph: CycloneDxGraph): Promise<IngestResult> {
  const tenant = db.tenant;
  const fresh = await db.query(
    `insert into graph.sboms (tenant_id, id, serial_number, subject, component_count, edge_count, ingested_by)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict (tenant_id, id) do nothing`,
    [tenant, sbomId, graph.serialNumber, graph.subject, graph.components.length, graph.edges.length, actor],
  );
  const result = { sbomId, nodes: graph.components.length, edges: graph.edges.length, skipped: graph.skipped.length };
  if (fresh.rowCount === 0) return { ...result, duplicate: true };
  const c = graph.components;
  await db.query(
    `insert into graph.nodes as n (tenant_id, id, purl, type, name, grp, version, description)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
     on conflict (tenant_id, id) do update
       set sbom_count = n.sbom_count + 1, last_seen_at = now(),
           description = case when excluded.description <> '' then excluded.description else n.description end`,
    [tenant, c.map((x) => x.id), c.map((x) => x.purl), c.map((x) => x.type), c.map((x) => x.name), c.map((x) => x.group), c.map((x) => x.version), c.map((x) => x.description)],
  );
  await db.query(
    `insert into graph.edges (tenant_id, from_id, to_id)
     select $1, * from unnest($2::text[], $3::text[]) on conflict do nothing`,
    [tenant, graph.edges.map((e) => e[0]), graph.edges.map((e) => e[1])],
  );
  return { ...result, duplicate: false };
}
