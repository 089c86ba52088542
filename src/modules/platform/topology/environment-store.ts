/**
 * Environment rows. Every function takes the client of a `withTenant` transaction: row-level
 * security confines it to the request's tenant, so no query here names a tenant except the
 * insert, which writes the verified tenant (and WITH CHECK refuses any other).
 */
import type { TenantTx } from '../../../db/database.ts';
import type { CursorKey } from '../../pagination.ts';

export interface Environment {
  id: string;
  name: string;
  description: string;
  region: string | null;
  stage: string | null;
  targetCount: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface EnvironmentFields {
  name: string;
  description?: string;
  region?: string | null;
  stage?: string | null;
}

const SELECT = `select e.id, e.name, e.description, e.region, e.stage, e.created_by, e.created_at, e.updated_at,
       (select count(*)::int from platform.targets t where t.tenant_id = e.tenant_id and t.environment_id = e.id) as target_count
  from platform.environments e`;

function toEnvironment(r: any): Environment {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    region: r.region,
    stage: r.stage,
    targetCount: r.target_count ?? 0,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** `limit + 1` rows after the cursor key (id order), so the caller can tell whether more exist. */
export async function listEnvironments(db: TenantTx, after: CursorKey | null, limit: number): Promise<Environment[]> {
  const { rows } = await db.query(`${SELECT} where ($1::text is null or e.id > $1) order by e.id limit $2`, [after?.[0] ?? null, limit + 1]);
  return rows.map(toEnvironment);
}

export async function getEnvironment(db: TenantTx, id: string): Promise<Environment | null> {
  const { rows } = await db.query(`${SELECT} where e.id = $1`, [id]);
  return rows[0] ? toEnvironment(rows[0]) : null;
}

/** Null when the id is taken in this tenant. */
export async function createEnvironment(db: TenantTx, actor: string, id: string, f: EnvironmentFields): Promise<Environment | null> {
  const tenant = db.tenant;
  const { rowCount } = await db.query(
    `insert into platform.environments (tenant_id, id, name, description, region, stage, created_by)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict (tenant_id, id) do nothing`,
    [tenant, id, f.name, f.description ?? '', f.region ?? null, f.stage ?? null, actor],
  );
  return rowCount === 1 ? getEnvironment(db, id) : null;
}

export async function updateEnvironment(db: TenantTx, id: string, f: EnvironmentFields): Promise<Environment | null> {
  const { rowCount } = await db.query(
    `update platform.environments set name = $2, description = $3, region = $4, stage = $5, updated_at = now() where id = $1`,
    [id, f.name, f.description ?? '', f.region ?? null, f.stage ?? null],
  );
  return rowCount === 1 ? getEnvironment(db, id) : null;
}

export async function deleteEnvironment(db: TenantTx, id: string): Promise<boolean> {
  const { rowCount } = await db.query('delete from platform.environments where id = $1', [id]);
  return rowCount === 1;
}
