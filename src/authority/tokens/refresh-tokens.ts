/**
 * Rotating refresh tokens. Each use spends the token and issues its successor in the same
 * family; presenting a spent token again is treated as theft and revokes the whole family.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.ts';
import type { SelectionHow } from '../../contract/selection.ts';

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  /** What the holder asked for (bounds every refresh); null on tokens from before roles. */
  requestedScopes: string[] | null;
  tenant: string;
  how: SelectionHow;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export function digestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function toRecord(r: any): RefreshTokenRecord {
  return {
    id: r.id,
    familyId: r.family_id,
    clientId: r.client_id,
    userId: r.user_id,
    scopes: r.scopes,
    requestedScopes: r.requested_scopes ?? null,
    tenant: r.tenant,
    how: r.how,
    expiresAt: new Date(r.expires_at),
    usedAt: r.used_at ? new Date(r.used_at) : null,
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
  };
}

export interface NewRefreshToken {
  familyId?: string;
  clientId: string;
  userId: string;
  scopes: readonly string[];
  requestedScopes: readonly string[];
  tenant: string;
  how: SelectionHow;
  ttlSeconds: number;
}

export async function insertRefreshToken(db: Queryable, input: NewRefreshToken): Promise<{ token: string; familyId: string }> {
  const token = `rt_${randomBytes(32).toString('base64url')}`;
  const familyId = input.familyId ?? randomUUID();
  await db.query(
    `insert into authority.refresh_tokens (id, digest, family_id, client_id, user_id, scopes, requested_scopes, tenant, how, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10))`,
    [randomUUID(), digestToken(token), familyId, input.clientId, input.userId, input.scopes, input.requestedScopes, input.tenant, input.how, input.ttlSeconds],
  );
  return { token, familyId };
}

export async function findRefreshToken(db: Queryable, token: string): Promise<RefreshTokenRecord | null> {
  const { rows } = await db.query('select * from authority.refresh_tokens where digest = $1', [digestToken(token)]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function revokeFamily(db: Queryable, familyId: string): Promise<number> {
  const { rowCount } = await db.query('update authority.refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null', [familyId]);
  return rowCount ?? 0;
}

export type Rotation = { ok: true; token: string } | { ok: false; reused: true };

/** Spends `record` and issues its successor atomically; a lost race is a reuse. */
export async function rotateRefreshToken(db: Database, record: RefreshTokenRecord, next: Omit<NewRefreshToken, 'familyId' | 'clientId' | 'userId'>): Promise<Rotation> {
  return db.withTransaction(async (tx) => {
    const spent = await tx.query('update authority.refresh_tokens set used_at = now() where id = $1 and used_at is null and revoked_at is null', [record.id]);
    if (spent.rowCount !== 1) {
      await revokeFamily(tx, record.familyId);
      return { ok: false, reused: true } as const;
    }
    const { token } = await insertRefreshToken(tx, { ...next, familyId: record.familyId, clientId: record.clientId, userId: record.userId });
    return { ok: true, token } as const;
  });
}
