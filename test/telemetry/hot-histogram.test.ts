/**
 * HotHistogram against prom-client's own Histogram: for any observations, the text
 * exposition is the same line for line, the cluster aggregate of several workers is the same,
 * and after a reset it has no series, as prom-client's has none.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import client from 'prom-client';
import { HotHistogram } from '../../src/telemetry/hot-histogram.ts';
import { createRegistry } from '../../src/telemetry/metrics.ts';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const observation = fc.record({
  cell: fc.constantFrom<[string, string]>(['/api/v1/platform/', 'GET'], ['/api/v1/scans', 'POST'], ['unmatched', 'other']),
  value: fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constantFrom(...BUCKETS)),
});

function pair() {
  const hotRegistry = createRegistry('gateway', false);
  const refRegistry = createRegistry('gateway', false);
  const hot = HotHistogram.for(hotRegistry, 'x_duration_seconds', 'help', ['route', 'method'], BUCKETS);
  const ref = new client.Histogram({ name: 'x_duration_seconds', help: 'help', labelNames: ['route', 'method'], buckets: BUCKETS, registers: [refRegistry] });
  return { hotRegistry, refRegistry, hot, ref };
}

describe('HotHistogram', () => {
  it("renders what prom-client's histogram renders, alone and aggregated across workers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const { hotRegistry, refRegistry, hot, ref } = pair();
        for (const o of observations) {
          hot.cell(...o.cell).observe(o.value);
          ref.labels(...o.cell).observe(o.value);
        }
        assert.equal(await hotRegistry.metrics(), await refRegistry.metrics());
        const hotJson = await hotRegistry.getMetricsAsJSON();
        const refJson = await refRegistry.getMetricsAsJSON();
        const aggregated = await client.AggregatorRegistry.aggregate([hotJson, hotJson]).metrics();
        assert.equal(aggregated, await client.AggregatorRegistry.aggregate([refJson, refJson]).metrics());
      }),
      { numRuns: 60 },
    );
  });

  it('is found again under its name, refuses a name an ordinary metric holds, and resets', async () => {
    const { hotRegistry, refRegistry, hot } = pair();
    assert.equal(HotHistogram.for(hotRegistry, 'x_duration_seconds', 'help', ['route', 'method'], BUCKETS), hot);
    assert.throws(() => HotHistogram.for(refRegistry, 'x_duration_seconds', 'help', ['route', 'method'], BUCKETS), /ordinary metric/);
    const cell = hot.cell('/p', 'GET');
    cell.observe(0.2);
    assert.match(await hotRegistry.metrics(), /^x_duration_seconds_count\{[^}]*route="\/p",method="GET"[^}]*\} 1$/m);
    hotRegistry.resetMetrics();
    assert.doesNotMatch(await hotRegistry.metrics(), /x_duration_seconds_count/, 'no series after a reset, as with prom-client');
    cell.observe(Number.NaN);
    assert.doesNotMatch(await hotRegistry.metrics(), /x_duration_seconds_count/, 'a value that is not a number is not counted');
    cell.observe(3);
    assert.match(await hotRegistry.metrics(), /^x_duration_seconds_bucket\{le="2.5"[^}]*route="\/p"[^}]*\} 0$/m);
    assert.match(await hotRegistry.metrics(), /^x_duration_seconds_count\{[^}]*route="\/p",method="GET"[^}]*\} 1$/m);
  });
});
