import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { purgeExpiredTokens } from '../../src/authority/tokens/purge-expired.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('purging expired token records', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t?.drop());

  it('removes codes and refresh tokens a day after expiry and revocations once expired, nothing younger', async () => {
    const code = (digest: string, expires: string) =>
      t.db.query(`insert into authority.authorization_codes (digest, client_id, user_id, redirect_uri, scopes, expires_at) values ($1, 'c', 'u', 'http://x/cb', '{}', now() - $2::interval)`, [digest, expires]);
    const refresh = (id: string, expires: string) =>
      t.db.query(`insert into authority.refresh_tokens (id, digest, family_id, client_id, user_id, scopes, tenant, how, expires_at, used_at) values ($1, $1, 'f', 'c', 'u', '{}', 't', 'default', now() - $2::interval, now())`, [id, expires]);
    const revoked = (jti: string, expires: string) => t.db.query("insert into authority.revocations (jti, expires_at, reason) values ($1, now() + $2::interval, 'test')", [jti, expires]);
    await code('old', '2 days');
    await code('recent', '1 hour');
    await refresh('old', '2 days');
    await refresh('spent-recently', '1 hour');
    await revoked('old', '-2 hours');
    await revoked('live', '5 minutes');
    assert.deepEqual(await purgeExpiredTokens(t.db), { codes: 1, refreshTokens: 1, revoked: 1 });
    const left = async (table: string, column: string) => (await t.db.query(`select ${column} as k from authority.${table} order by 1`)).rows.map((r: any) => r.k);
    assert.deepEqual(await left('authorization_codes', 'digest'), ['recent']);
    assert.deepEqual(await left('refresh_tokens', 'id'), ['spent-recently']);
    assert.deepEqual(await left('revocations', 'jti'), ['live']);
  });
});
