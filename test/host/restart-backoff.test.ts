/** The cluster primary's restart delays: doubling per crash in a row, capped, reset by a worker that served a while. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartBackoff } from '../../src/host/cluster/restart-backoff.ts';

describe('RestartBackoff', () => {
  it('doubles per crash in a row up to the cap', () => {
    const b = new RestartBackoff({ initialMs: 500, maxMs: 4_000, stableMs: 30_000 });
    assert.deepEqual([100, 100, 100, 100, 100, 100].map((ran) => b.next(ran)), [500, 1_000, 2_000, 4_000, 4_000, 4_000]);
  });

  it('starts over after a worker that ran for the stable period', () => {
    const b = new RestartBackoff({ initialMs: 500, maxMs: 30_000, stableMs: 30_000 });
    assert.deepEqual([b.next(10), b.next(10), b.next(10)], [500, 1_000, 2_000]);
    assert.equal(b.next(30_000), 500, 'served 30 s: not a crash loop');
    assert.equal(b.next(29_999), 1_000, 'and the count resumes from there');
  });
});
