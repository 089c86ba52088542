/**
 * Synthetic identities: clients and tenants whose traffic is deliberate (the acceptance
 * matrix's legacy and spoof rows). Their counter rows stay in telemetry.daily_counters but
 * every gate and monitor reads them apart: `syntheticRow(alias)` is the SQL condition "this
 * counter row belongs to a synthetic client or tenant".
 */
import type { Queryable } from '../db/database.ts';

export type SyntheticKind = 'client' | 'tenant';

/** Registers an identity as synthetic (idempotent); call it in the transaction that creates it. */
export async function registerSynthetic(tx: Queryable, kind: SyntheticKind, id: string): Promise<void> {
  await tx.query('insert into telemetry.synthetic_identities (kind, id) values ($1, $2) on conflict do nothing', [kind, id]);
}

export function syntheticRow(alias: string): string {
  return `exists (select 1 from telemetry.synthetic_identities s
                   where (s.kind = 'client' and s.id = ${alias}.client) or (s.kind = 'tenant' and s.id = ${alias}.tenant))`;
}

/** Which counter rows a reader wants: the real traffic (default), the synthetic traffic alone, or both. */
export type SyntheticFilter = 'exclude' | 'only' | 'include';

export function syntheticCondition(filter: SyntheticFilter, alias: string): string {
  if (filter === 'include') return 'true';
  return filter === 'only' ? syntheticRow(alias) : `not ${syntheticRow(alias)}`;
}
