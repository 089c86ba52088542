/**
 * Whether an access token is revoked, as the Authority sees it: its own `jti`, or a rule
 * covering its client, subject and tenant made after it was issued (authority.revocations,
 * the same rows every gateway applies from memory).
 */
import type { Queryable } from '../../db/database.ts';
import { issuedAtMs } from '../../identity/token-id.ts';
import { recordRevocation } from './revocations.ts';

export async function revokeAccessToken(db: Queryable, jti: string, expiresAtSeconds: number): Promise<void> {
  await recordRevocation(db, { jti, expiresAtSeconds, reason: 'token revoked' });
}

export interface RevocableToken {
  tokenId: string;
  clientId: string;
  subject: string;
  tenant: string;
  issuedAt: number;
}

export async function isAccessTokenRevoked(db: Queryable, t: RevocableToken): Promise<boolean> {
  const { rowCount } = await db.query(
    `select 1 from authority.revocations
      where expires_at > now()
        and (jti = $1
             or (jti is null
                 and (client_id is null or client_id = $2)
                 and (subject is null or subject = $3)
                 and (tenant is null or tenant = $4)
                 and not_before > to_timestamp($5::double precision / 1000)))
      limit 1`,
    [t.tokenId, t.clientId, t.subject, t.tenant, issuedAtMs(t.tokenId, t.issuedAt)],
  );
  return rowCount === 1;
}
