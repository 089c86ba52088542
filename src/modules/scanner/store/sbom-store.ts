/** SBOMs registered for an image digest, used by later scans of that digest that bring none. */
import type { TenantTx } from '../../../db/database.ts';

export interface RegisteredSbom {
  imageDigest: string;
  componentCount: number;
  registeredAt: string;
  registeredBy: string;
}

export async function registerSbom(db: TenantTx, imageDigest: string, sbom: unknown, actor: string): Promise<RegisteredSbom & { replaced: boolean }> {
  const tenant = db.tenant;
  const { rows } = await db.query(
    `insert into scanner.sboms (tenant_id, image_digest, sbom, registered_by) values ($1, $2, $3, $4)
     on conflict (tenant_id, image_digest) do update set sbom = excluded.sbom, registered_by = excluded.registered_by, registered_at = now()
     returning registered_at, registered_by, (xmax <> 0) as replaced,
               coalesce(jsonb_array_length(case when jsonb_typeof(sbom->'components') = 'array' then sbom->'components' end), 0) as component_count`,
    [tenant, imageDigest, JSON.stringify(sbom), actor],
  );
  const r = rows[0];
  return { imageDigest, componentCount: r.component_count, registeredAt: r.registered_at.toISOString(), registeredBy: r.registered_by, replaced: r.replaced };
}
