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

export async function purgeExpiredRevocations(db: Queryable): Promise<number> {
  const { rowCount } = await db.query('delete from authority.revocations where expires_at < now()');
  return rowCount ?? 0;
}
