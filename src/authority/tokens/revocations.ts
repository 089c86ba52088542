/**
 * What the Authority tells every gateway to stop accepting (authority.revocations, followed
 * by the gateways over NOTIFY): one access token, or every token of a client and/or subject
 * issued before now, optionally for one tenant only. A row lives as long as the longest
 * access token it can cover.
 */
import type { Queryable } from '../../db/database.ts';

export type Revocation =
  | { jti: string; expiresAtSeconds: number; reason: string }
  | { clientId?: string; subject?: string; tenant?: string; reason: string };

/**
 * A "before now" rule is kept as long as the longest access token the configuration admits
 * (authority.accessTokenTtlSeconds ≤ 1 day), plus a minute of clock skew.
 */
const RULE_LIFETIME_SECONDS = 86_400 + 60;

export async function recordRevocation(db: Queryable, r: Revocation): Promise<void> {
  if ('jti' in r) {
    await db.query('insert into authority.revocations (jti, expires_at, reason) values ($1, to_timestamp($2), $3)', [r.jti, r.expiresAtSeconds, r.reason]);
    return;
  }
  if (!r.clientId && !r.subject) throw new TypeError('a revocation names a token, a client or a subject');
  await db.query(
    'insert into authority.revocations (client_id, subject, tenant, expires_at, reason) values ($1, $2, $3, clock_timestamp() + make_interval(secs => $4), $5)',
    [r.clientId ?? null, r.subject ?? null, r.tenant ?? null, RULE_LIFETIME_SECONDS, r.reason],
  );
}

/** Whose tokens `revokeEverythingIssuedTo` ends: a client's (its users' tokens through it too) or a user's. */
export type TokenHolder = { clientId: string } | { userId: string };

/**
 * Everything issued to `holder` so far stops working: its refresh tokens and unredeemed
 * authorization codes at once, its access tokens at every gateway (a "before now" rule).
 * Used when a client or a user is deleted or disabled; what is issued later is not covered.
 */
export async function revokeEverythingIssuedTo(db: Queryable, holder: TokenHolder, reason: string): Promise<void> {
  const [column, id] = 'clientId' in holder ? ['client_id', holder.clientId] : ['user_id', holder.userId];
  await db.query(`update authority.refresh_tokens set revoked_at = now() where ${column} = $1 and revoked_at is null`, [id]);
  await db.query(`delete from authority.authorization_codes where ${column} = $1 and used_at is null`, [id]);
  await recordRevocation(db, 'clientId' in holder ? { clientId: holder.clientId, reason } : { subject: holder.userId, reason });
}

export async function purgeExpiredRevocations(db: Queryable): Promise<number> {
  const { rowCount } = await db.query('delete from authority.revocations where expires_at < now()');
  return rowCount ?? 0;
}
