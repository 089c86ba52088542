/** Hot counters: plain additions on the request path, exact totals at every scrape. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import client from 'prom-client';
import { HotCounter } from '../../src/telemetry/metrics.ts';

async function value(registry: client.Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name)!;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

describe('HotCounter', () => {
  it('hands every increment to the prom-client counter at each scrape, cumulatively', async () => {
    const registry = new client.Registry();
    const hot = HotCounter.for(registry, 'test_hot_total', 'test', ['route', 'status']);
    const ok = hot.cell('/a', '200');
    for (let i = 0; i < 3; i++) ok.inc();
    hot.inc('/a', '500');
    assert.equal(await value(registry, 'test_hot_total', { route: '/a', status: '200' }), 3);
    assert.equal(await value(registry, 'test_hot_total', { route: '/a', status: '500' }), 1);
    ok.inc();
    hot.inc('/a', '200');
    assert.match(await registry.metrics(), /test_hot_total\{route="\/a",status="200"\} 5/);
  });

  it('a cell kept by a caller keeps counting whatever other label combinations appear', async () => {
    const registry = new client.Registry();
    const hot = HotCounter.for(registry, 'test_many_total', 'test', ['key']);
    const kept = hot.cell('kept');
    for (let i = 0; i < 20_000; i++) {
      hot.inc(`k${i}`);
      kept.inc();
    }
    assert.equal(await value(registry, 'test_many_total', { key: 'kept' }), 20_000);
    assert.equal(await value(registry, 'test_many_total', { key: 'k19999' }), 1);
  });

  it('is created once per registry name, and refuses a name taken by an ordinary metric', () => {
    const registry = new client.Registry();
    assert.equal(HotCounter.for(registry, 'test_once_total', 'test', ['x']), HotCounter.for(registry, 'test_once_total', 'test', ['x']));
    new client.Counter({ name: 'test_plain_total', help: 'test', registers: [registry] });
    assert.throws(() => HotCounter.for(registry, 'test_plain_total', 'test', []), /already registered as an ordinary metric/);
  });
});
