import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acquireLease, LeaseLostError, tryAcquireLease } from '../../src/rollout/playbook/lease.ts';
import { RolloutRefusal } from '../../src/rollout/operations/refusal.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leases (one holder across instances, no session state)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t.drop());

  it('one holder at a time; free again once released', async () => {
    const first = await tryAcquireLease(t.db, 'l1');
    assert.ok(first);
    const racing = await Promise.all(Array.from({ length: 8 }, () => tryAcquireLease(t.db, 'l1')));
    assert.equal(racing.filter(Boolean).length, 0);
    await first.release();
    const claims = await Promise.all(Array.from({ length: 8 }, () => tryAcquireLease(t.db, 'l1')));
    assert.equal(claims.filter(Boolean).length, 1, 'exactly one of eight concurrent claimers wins');
    await claims.find(Boolean)!.release();
  });

  it('is renewed while held, so it outlives its TTL', async () => {
    const lease = (await tryAcquireLease(t.db, 'l2', { ttlMs: 300 }))!;
    await sleep(700);
    lease.assertHeld();
    assert.equal(await tryAcquireLease(t.db, 'l2'), null);
    await lease.release();
  });

  it('a holder that stopped renewing loses it; it learns so before its next step', async () => {
    const lease = (await tryAcquireLease(t.db, 'l3', { ttlMs: 400 }))!;
    // Its renewals stop reaching the row (a long pause, a partition): staged by moving the expiry back.
    await t.db.query("update rollout.leases set expires_at = clock_timestamp() - interval '1 second', holder = 'elsewhere' where name = 'l3'");
    const next = await tryAcquireLease(t.db, 'l3');
    assert.ok(next, 'an expired lease is taken over');
    await sleep(250);
    assert.throws(() => lease.assertHeld(), LeaseLostError);
    await lease.release();
    assert.equal((await t.db.query("select 1 from rollout.leases where name = 'l3'")).rowCount, 1, "releasing a lost lease leaves the new holder's row");
    await next.release();
  });

  it('a waiting claimer gives up with a conflict after waitMs', async () => {
    const holder = (await tryAcquireLease(t.db, 'l4'))!;
    await assert.rejects(acquireLease(t.db, 'l4', { waitMs: 300, retryMs: 50 }), (err: unknown) => err instanceof RolloutRefusal && err.code === 'conflict');
    await holder.release();
    const after = await acquireLease(t.db, 'l4', { waitMs: 300 });
    await after.release();
  });
});
