/** Tenants: list, get, create, update, delete — each change audited in its transaction. */
import { ContractError } from '../../contract/errors.ts';
import { normalizeTenantId } from '../../contract/tenant.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import { registerSynthetic } from '../../telemetry/synthetic.ts';

export interface TenantRecord {
  id: string;
  displayName: string;
  /** Created for synthetic traffic (the acceptance matrix): its counts stay out of the gates. */
  synthetic: boolean;
  createdAt: string;
  updatedAt: string;
}

function toRecord(r: any): TenantRecord {
  return { id: r.id, displayName: r.display_name, synthetic: r.synthetic === true, createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString() };
}

export async function listTenants(db: Queryable): Promise<TenantRecord[]> {
  const { rows } = await db.query('select * from authority.tenants order by id');
  return rows.map(toRecord);
}

export async function getTenant(db: Queryable, id: string): Promise<TenantRecord | null> {
  const { rows } = await db.query('select * from authority.tenants where id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function tenantDisplayNames(db: Queryable, ids: string[]): Promise<{ id: string; displayName: string }[]> {
  const { rows } = await db.query<{ id: string; display_name: string }>('select id, display_name from authority.tenants where id = any($1) order by id', [ids]);
  return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
}

function requireId(raw: unknown): string {
  const id = normalizeTenantId(raw);
  if (id === null) throw new ContractError('tenant_invalid', `tenant id ${JSON.stringify(raw)} is not valid (ASCII, ^[a-z0-9][a-z0-9._:-]{0,127}$)`);
  return id;
}

function requireDisplayName(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.length > 200) throw new ContractError('validation_failed', 'displayName must be 1–200 characters');
  return raw.trim();
}

export async function createTenant(db: Database, input: { id?: unknown; displayName?: unknown; synthetic?: unknown }, actor: string): Promise<TenantRecord> {
  const id = requireId(input.id);
  const displayName = input.displayName === undefined ? id : requireDisplayName(input.displayName);
  if (input.synthetic !== undefined && typeof input.synthetic !== 'boolean') throw new ContractError('validation_failed', 'synthetic must be a boolean');
  const synthetic = input.synthetic === true;
  return db.withTransaction(async (tx) => {
    const { rows } = await tx.query('insert into authority.tenants (id, display_name, synthetic) values ($1, $2, $3) on conflict do nothing returning *', [id, displayName, synthetic]);
    if (!rows[0]) throw new ContractError('conflict', `tenant '${id}' already exists`);
    if (synthetic) await registerSynthetic(tx, 'tenant', id);
    const created = toRecord(rows[0]);
    await writeAudit(tx, { type: 'authority.tenant.created', outcome: 'success', actor, tenant: id, properties: { before: null, after: created } });
    return created;
  });
}

export async function updateTenant(db: Database, rawId: string, input: { displayName?: unknown }, actor: string): Promise<TenantRecord> {
  const id = requireId(rawId);
  const displayName = requireDisplayName(input.displayName);
  return db.withTransaction(async (tx) => {
    const before = await tx.query('select * from authority.tenants where id = $1 for update', [id]);
    if (!before.rows[0]) throw new ContractError('not_found', `tenant '${id}' does not exist`);
    const { rows } = await tx.query('update authority.tenants set display_name = $2, updated_at = now() where id = $1 returning *', [id, displayName]);
    const after = toRecord(rows[0]);
    await writeAudit(tx, { type: 'authority.tenant.updated', outcome: 'success', actor, tenant: id, properties: { before: toRecord(before.rows[0]), after } });
    return after;
  });
}

/** A tenant still assigned to a client or user cannot be deleted (no silent un-assignment). */
export async function deleteTenant(db: Database, rawId: string, actor: string): Promise<void> {
  const id = requireId(rawId);
  await db.withTransaction(async (tx) => {
    const before = await tx.query('select * from authority.tenants where id = $1 for update', [id]);
    if (!before.rows[0]) throw new ContractError('not_found', `tenant '${id}' does not exist`);
    const users = await tx.query<{ username: string }>('select username from authority.users where tenant = $1 or $1 = any(tenants) order by username limit 5', [id]);
    const clients = await tx.query<{ client_id: string }>('select client_id from authority.clients where tenant = $1 or $1 = any(tenants) order by client_id limit 5', [id]);
    if (users.rows.length || clients.rows.length) {
      const holders = [...clients.rows.map((r) => `client ${r.client_id}`), ...users.rows.map((r) => `user ${r.username}`)];
      throw new ContractError('conflict', `tenant '${id}' is still assigned (${holders.join(', ')}): remove the assignments first`);
    }
    await tx.query('delete from authority.tenants where id = $1', [id]);
    await writeAudit(tx, { type: 'authority.tenant.deleted', outcome: 'success', actor, tenant: id, properties: { before: toRecord(before.rows[0]), after: null } });
  });
}
