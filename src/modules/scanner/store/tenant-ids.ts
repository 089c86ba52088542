/**
 * Tenant-local, human-readable ids (`scan-0001`, `finding-0001`, `unknown-0001`) from a
 * per-tenant counter row. Each tenant counts on its own, so two tenants hold equal ids —
 * the primary keys are (tenant_id, id) and row-level security keeps them apart.
 */
import type { TenantTx } from '../../../db/database.ts';

export type IdKind = 'scan' | 'finding' | 'unknown';

export function formatId(kind: IdKind, seq: number): string {
  return `${kind}-${String(seq).padStart(4, '0')}`;
}

/** Reserves `count` consecutive numbers; returns the first. Locks the counter row until commit. */
export async function allocateSeqs(db: TenantTx, kind: IdKind, count: number): Promise<number> {
  const tenant = db.tenant;
  const { rows } = await db.query<{ last_value: string }>(
    `insert into scanner.id_counters (tenant_id, kind, last_value) values ($1, $2, $3)
     on conflict (tenant_id, kind) do update set last_value = scanner.id_counters.last_value + excluded.last_value
     returning last_value`,
    [tenant, kind, count],
  );
  return Number(rows[0].last_value) - count + 1;
}

/** Moves the counter past an explicitly chosen number (demo data with fixed ids). */
export async function reserveSeq(db: TenantTx, kind: IdKind, seq: number): Promise<void> {
  const tenant = db.tenant;
  await db.query(
    `insert into scanner.id_counters (tenant_id, kind, last_value) values ($1, $2, $3)
     on conflict (tenant_id, kind) do update set last_value = greatest(scanner.id_counters.last_value, excluded.last_value)`,
    [tenant, kind, seq],
  );
}
