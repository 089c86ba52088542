import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelIndex } from '../../src/telemetry/label-index.ts';

describe('LabelIndex', () => {
  it('finds a value by all of its labels, and only by all of them', () => {
    const index = new LabelIndex<{ n: number }>(3);
    const a = index.getOrCreate(['x', 'y', 'z'], () => ({ n: 1 }));
    assert.equal(index.get(['x', 'y', 'z']), a);
    assert.equal(index.getOrCreate(['x', 'y', 'z'], () => ({ n: 2 })), a, 'created once');
    assert.equal(index.get(['x', 'y', 'w']), undefined);
    assert.equal(index.get(['x', 'q', 'z']), undefined);
    // Labels that would collide if joined into one string stay apart.
    const b = index.getOrCreate(['x\u0000y', '', 'z'], () => ({ n: 3 }));
    assert.notEqual(b, a);
    assert.equal(index.get(['x', 'y\u0000', 'z']), undefined);
  });

  it('forgets everything on clear', () => {
    const index = new LabelIndex<number>(1);
    index.getOrCreate(['a'], () => 1);
    index.clear();
    assert.equal(index.get(['a']), undefined);
    assert.equal(index.getOrCreate(['a'], () => 2), 2);
  });

  it('refuses a depth below one', () => {
    assert.throws(() => new LabelIndex(0));
  });
});
