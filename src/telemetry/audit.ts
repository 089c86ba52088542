/** The audit log: one row per security-relevant event, writable inside the caller's transaction. */
import { TenantgateError } from '../contract/errors.ts';
import type { Queryable } from '../db/database.ts';

export interface AuditEvent {
  type: string;
  outcome: 'success' | 'failure' | 'denied' | 'info' | (string & {});
  actor?: string | null;
  client?: string | null;
  tenant?: string | null;
  properties?: Record<string, unknown>;
  time?: Date;
}

export interface StoredAuditEvent {
  id: string;
  time: string;
  type: string;
  outcome: string;
  actor: string | null;
  client: string | null;
  tenant: string | null;
  properties: Record<string, unknown>;
}

export async function writeAudit(db: Queryable, event: AuditEvent): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into telemetry.audit_events (time, type, outcome, actor, client, tenant, properties)
     values (coalesce($1, clock_timestamp()), $2, $3, $4, $5, $6, $7) returning id`,
    [event.time ?? null, event.type, event.outcome, event.actor ?? null, event.client ?? null, event.tenant ?? null, JSON.stringify(event.properties ?? {})],
  );
  return rows[0].id;
}

export interface AuditQuery {
  type?: string;
  client?: string;
  tenant?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  /** Opaque cursor from a previous page (the last id seen). */
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  items: StoredAuditEvent[];
  nextCursor: string | null;
}

/** Newest first, keyset-paginated by id. */
export async function queryAudit(db: Queryable, q: AuditQuery): Promise<AuditPage> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (q.type) add(q.type.endsWith('*') ? 'type like ?' : 'type = ?', q.type.endsWith('*') ? q.type.slice(0, -1).replace(/[%_\\]/g, '\\$&') + '%' : q.type);
  if (q.client) add('client = ?', q.client);
  if (q.tenant) add('tenant = ?', q.tenant);
  if (q.actor) add('actor = ?', q.actor);
  if (q.from) add('time >= ?', q.from);
  if (q.to) add('time < ?', q.to);
  if (q.cursor) {
    const id = decodeCursor(q.cursor);
    if (id === null) throw new TenantgateError('validation_failed', 'the cursor is not one this list issued');
    add('id < ?', id);
  }
  params.push(limit + 1);
  const { rows } = await db.query(
    `select id::text, time, type, outcome, actor, client, tenant, properties from telemetry.audit_events
      ${where.length ? 'where ' + where.join(' and ') : ''} order by id desc limit $${params.length}`,
    params,
  );
  const items = rows.slice(0, limit).map((r: any) => ({ ...r, time: new Date(r.time).toISOString() }));
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}

export function encodeCursor(id: string): string {
  return Buffer.from(`a:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  const text = Buffer.from(cursor, 'base64url').toString();
  return /^a:\d{1,18}$/.test(text) ? text.slice(2) : null;
}
