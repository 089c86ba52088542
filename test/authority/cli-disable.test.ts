/** `tenantgate clients disable|enable` and `users disable|enable` against a real database. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, databaseSets } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('tenantgate clients|users disable|enable', () => {
  let t: TestDatabase;
  const cli = (...args: string[]) => runCli([...args, ...databaseSets(t)]);

  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t?.drop());

  it('clients disable|enable and users disable|enable: listed, audited, revoking what was issued before', async () => {
    assert.equal((await cli('tenants', 'add', 'tenant-delta')).code, 0);
    assert.equal((await cli('clients', 'add', 'delta-bot', '--grant', 'client_credentials', '--tenant', 'tenant-delta')).code, 0);
    assert.equal((await cli('users', 'add', 'heidi', '--tenant', 'tenant-delta')).code, 0);
    const disabled = await cli('clients', 'disable', 'delta-bot');
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /client delta-bot disabled/);
    assert.match((await cli('clients', 'list')).stdout, /delta-bot\s+tenant=tenant-delta .* disabled\n/);
    assert.match((await cli('users', 'disable', 'heidi')).stdout, /user heidi disabled/);
    assert.match((await cli('users', 'list')).stdout, /heidi\s+tenant=tenant-delta .* disabled\n/);
    const { rows } = await t.db.query("select client_id, subject, reason from authority.revocations where reason in ('client disabled', 'user disabled') order by id");
    const heidi = (await t.db.query("select id from authority.users where username = 'heidi'")).rows[0].id;
    assert.deepEqual(rows, [
      { client_id: 'delta-bot', subject: null, reason: 'client disabled' },
      { client_id: null, subject: heidi, reason: 'user disabled' },
    ]);
    assert.match((await cli('clients', 'enable', 'delta-bot')).stdout, /client delta-bot enabled/);
    assert.match((await cli('users', 'enable', 'heidi')).stdout, /user heidi enabled/);
    assert.doesNotMatch((await cli('users', 'list')).stdout, /heidi.* disabled/);
    assert.match((await cli('users', 'disable', 'nobody')).stderr, /not_found/);
    const audit = await t.db.query("select type, actor from telemetry.audit_events where type ~ '^authority\\.(client|user)\\.(dis|en)abled$' order by id");
    assert.deepEqual(audit.rows.map((r: any) => r.type), ['authority.client.disabled', 'authority.user.disabled', 'authority.client.enabled', 'authority.user.enabled']);
    assert.ok(audit.rows.every((r: any) => r.actor.startsWith('cli:')));
  });
});
