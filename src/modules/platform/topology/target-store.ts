/** Target rows under an environment; same rules as environment-store (client of a withTenant tx). */
import type { TenantTx } from '../../../db/database.ts';
import type { CursorKey } from '../../pagination.ts';

export interface Target {
  id: string;
  environmentId: string;
  name: string;
  kind: string;
  address: string;
  createdAt: string;
  updatedAt: string;
}

export interface TargetFields {
  name: string;
  kind: string;
  address?: string;
}

const SELECT = 'select id, environment_id, name, kind, address, created_at, updated_at from platform.targets';

function toTarget(r: any): Target {
  return {
    id: r.id,
    environmentId: r.environment_id,
    name: r.name,
    kind: r.kind,
    address: r.address,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function listTargets(db: TenantTx, environmentId: string, after: CursorKey | null, limit: number): Promise<Target[]> {
  const { rows } = await db.query(`${SELECT} where environment_id = $1 and ($2::text is null or id > $2) order by id limit $3`, [
    environmentId,
    after?.[0] ?? null,
    limit + 1,
  ]);
  return rows.map(toTarget);
}

export async function getTarget(db: TenantTx, environmentId: string, id: string): Promise<Target | null> {
  const { rows } = await db.query(`${SELECT} where environment_id = $1 and id = $2`, [environmentId, id]);
  return rows[0] ? toTarget(rows[0]) : null;
}

/** Null when the id is taken under this environment. */
export async function createTarget(db: TenantTx, environmentId: string, id: string, f: TargetFields): Promise<Target | null> {
  const tenant = db.tenant;
  const { rowCount } = await db.query(
    `insert into platform.targets (tenant_id, environment_id, id, name, kind, address) values ($1, $2, $3, $4, $5, $6)
     on conflict (tenant_id, environment_id, id) do nothing`,
    [tenant, environmentId, id, f.name, f.kind, f.address ?? ''],
  );
  return rowCount === 1 ? getTarget(db, environmentId, id) : null;
}

export async function updateTarget(db: TenantTx, environmentId: string, id: string, f: TargetFields): Promise<Target | null> {
  const { rowCount } = await db.query(
    'update platform.targets set name = $3, kind = $4, address = $5, updated_at = now() where environment_id = $1 and id = $2',
    [environmentId, id, f.name, f.kind, f.address ?? ''],
  );
  return rowCount === 1 ? getTarget(db, environmentId, id) : null;
}

export async function deleteTarget(db: TenantTx, environmentId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('delete from platform.targets where environment_id = $1 and id = $2', [environmentId, id]);
  return rowCount === 1;
}
