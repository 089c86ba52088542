import assert from 'node:assert/strict';
import { test } from 'node:test';
import { usageSeries } from '../../../web/src/rollout/usage-series.ts';

test('30 bars ending at the last day, oldest first', () => {
  const bars = usageSeries([], '2026-03-31');
  assert.equal(bars.length, 30);
  assert.equal(bars[0].day, '2026-03-02');
  assert.equal(bars[29].day, '2026-03-31');
});

test('a day without heartbeat is no data, never zero; zero with data is zero', () => {
  const bars = usageSeries(
    [
      { day: '2026-03-30', heartbeats: 2, legacyTotal: 0 },
      { day: '2026-03-31', heartbeats: 1, legacyTotal: 7 },
    ],
    '2026-03-31',
  );
  assert.deepEqual(bars.slice(-3), [
    { day: '2026-03-29', kind: 'nodata', total: 0 },
    { day: '2026-03-30', kind: 'zero', total: 0 },
    { day: '2026-03-31', kind: 'use', total: 7 },
  ]);
});

test('legacy use counted on a day without heartbeat still shows as use', () => {
  const [bar] = usageSeries([{ day: '2026-01-01', heartbeats: 0, legacyTotal: 3 }], '2026-01-01', 1);
  assert.deepEqual(bar, { day: '2026-01-01', kind: 'use', total: 3 });
});
