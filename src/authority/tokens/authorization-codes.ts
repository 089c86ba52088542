/** One-time authorization codes (stored as digests). A replayed code revokes what it produced. */
import { randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.ts';
import { digestToken, revokeFamily } from './refresh-tokens.ts';
import { recordRevocation } from './revocations.ts';

export interface AuthorizationCodeRecord {
  digest: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  requestedTenant: string | null;
  codeChallenge: string | null;
  nonce: string | null;
  expiresAt: Date;
}

export interface NewAuthorizationCode {
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: readonly string[];
  requestedTenant: string | null;
  codeChallenge: string | null;
  nonce: string | null;
  ttlSeconds: number;
}

export async function createAuthorizationCode(db: Queryable, input: NewAuthorizationCode): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await db.query(
    `insert into authority.authorization_codes (digest, client_id, user_id, redirect_uri, scopes, requested_tenant, code_challenge, nonce, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))`,
    [digestToken(code), input.clientId, input.userId, input.redirectUri, input.scopes, input.requestedTenant, input.codeChallenge, input.nonce, input.ttlSeconds],
  );
  return code;
}

export type Redemption = { ok: true; code: AuthorizationCodeRecord } | { ok: false; reason: 'unknown' | 'expired' | 'replayed' };

/** Spends the code. A second redemption revokes the refresh family the first one created. */
export async function redeemAuthorizationCode(db: Database, code: string): Promise<Redemption> {
  const digest = digestToken(code);
  return db.withTransaction(async (tx) => {
    const { rows } = await tx.query('select *, expires_at < now() as expired from authority.authorization_codes where digest = $1 for update', [digest]);
    const row = rows[0];
    if (!row) return { ok: false, reason: 'unknown' } as const;
    if (row.used_at) {
      if (row.family_id) await revokeFamily(tx, row.family_id);
      // The access tokens the first redemption produced stop working at every gateway too.
      await recordRevocation(tx, { clientId: row.client_id, subject: row.user_id, reason: 'authorization code replayed' });
      return { ok: false, reason: 'replayed' } as const;
    }
    await tx.query('update authority.authorization_codes set used_at = now() where digest = $1', [digest]);
    if (row.expired) return { ok: false, reason: 'expired' } as const;
    return {
      ok: true,
      code: {
        digest,
        clientId: row.client_id,
        userId: row.user_id,
        redirectUri: row.redirect_uri,
        scopes: row.scopes,
        requestedTenant: row.requested_tenant,
        codeChallenge: row.code_challenge,
        nonce: row.nonce,
        expiresAt: new Date(row.expires_at),
      },
    } as const;
  });
}

export async function recordCodeFamily(db: Queryable, digest: string, familyId: string): Promise<void> {
  await db.query('update authority.authorization_codes set family_id = $2 where digest = $1', [digest, familyId]);
}
