/**
 * Removes token records nothing can use any more: codes and refresh tokens a day after they
 * expired (a spent refresh token must outlive its use so a replay can still be detected),
 * and revocations once no token they cover can still be valid.
 */
import type { Queryable } from '../../db/database.ts';

export async function purgeExpiredTokens(db: Queryable): Promise<{ codes: number; refreshTokens: number; revoked: number }> {
  const codes = await db.query("delete from authority.authorization_codes where expires_at < now() - interval '1 day'");
  const refreshTokens = await db.query("delete from authority.refresh_tokens where expires_at < now() - interval '1 day'");
  const revoked = await db.query('delete from authority.revocations where expires_at < now()');
  return { codes: codes.rowCount ?? 0, refreshTokens: refreshTokens.rowCount ?? 0, revoked: revoked.rowCount ?? 0 };
}
