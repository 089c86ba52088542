/** Revoked access tokens by `jti`, kept until the token would have expired anyway. */
import type { Queryable } from '../../db/database.ts';

export async function revokeAccessToken(db: Queryable, jti: string, expiresAtSeconds: number): Promise<void> {
  await db.query('insert into authority.revoked_tokens (jti, expires_at) values ($1, to_timestamp($2)) on conflict do nothing', [jti, expiresAtSeconds]);
}

export async function isAccessTokenRevoked(db: Queryable, jti: string): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from authority.revoked_tokens where jti = $1', [jti]);
  return rowCount === 1;
}
