import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('withTenant and row-level security on a sample table', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await t.db.withTenant('tenant-a', (c) => c.query("insert into sample.notes values ('tenant-a', 'n1', 'alpha note')"));
    await t.db.withTenant('tenant-b', (c) => c.query("insert into sample.notes values ('tenant-b', 'n1', 'bravo note')"));
  });
  after(async () => t.drop());

  it('no tenant set → no rows', async () => {
    const { rows } = await t.db.withTransaction((c) => c.query('select * from sample.notes'));
    assert.equal(rows.length, 0);
    const plain = await t.db.query('select * from sample.notes');
    assert.equal(plain.rows.length, 0);
  });

  it("another tenant's rows are invisible, even with the same id", async () => {
    const a = await t.db.withTenant('tenant-a', (c) => c.query('select tenant_id, id, body from sample.notes'));
    assert.deepEqual(a.rows, [{ tenant_id: 'tenant-a', id: 'n1', body: 'alpha note' }]);
    const b = await t.db.withTenant('tenant-b', (c) => c.query("select body from sample.notes where id = 'n1'"));
    assert.deepEqual(b.rows, [{ body: 'bravo note' }]);
  });

  it("insert for another tenant is refused by WITH CHECK", async () => {
    await assert.rejects(
      t.db.withTenant('tenant-a', (c) => c.query("insert into sample.notes values ('tenant-b', 'n2', 'smuggled')")),
      /row-level security/,
    );
    const b = await t.db.withTenant('tenant-b', (c) => c.query("select id from sample.notes where id = 'n2'"));
    assert.equal(b.rows.length, 0);
  });

  it('update and delete cannot reach another tenant', async () => {
    const upd = await t.db.withTenant('tenant-a', (c) => c.query("update sample.notes set body = 'x' where tenant_id = 'tenant-b'"));
    assert.equal(upd.rowCount, 0);
    const del = await t.db.withTenant('tenant-a', (c) => c.query("delete from sample.notes where tenant_id = 'tenant-b'"));
    assert.equal(del.rowCount, 0);
    const b = await t.db.withTenant('tenant-b', (c) => c.query('select body from sample.notes'));
    assert.deepEqual(b.rows, [{ body: 'bravo note' }]);
  });

  it('the tenant setting is transaction-local: a pooled connection does not keep it', async () => {
    await t.db.withTenant('tenant-a', (c) => c.query('select 1'));
    const { rows } = await t.db.query("select coalesce(current_setting('app.tenant_id', true), '') as t");
    assert.equal(rows[0].t, '');
  });

  it('refuses a tenant id that is not normalized', async () => {
    await assert.rejects(t.db.withTenant('Tenant-A', async () => 1), /normalized/);
    await assert.rejects(t.db.withTenant('', async () => 1), /normalized/);
  });

  it('a failing callback rolls back', async () => {
    await assert.rejects(
      t.db.withTenant('tenant-a', async (c) => {
        await c.query("insert into sample.notes values ('tenant-a', 'n3', 'rolled back')");
        throw new Error('boom');
      }),
      /boom/,
    );
    const { rows } = await t.db.withTenant('tenant-a', (c) => c.query("select 1 from sample.notes where id = 'n3'"));
    assert.equal(rows.length, 0);
  });
});
