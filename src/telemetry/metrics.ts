/** One prom-client registry per component, so several components can share a process. */
import client from 'prom-client';

export type MetricsRegistry = client.Registry;

export function createRegistry(component: string, withDefaults = true): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ component });
  if (withDefaults) client.collectDefaultMetrics({ register: registry, prefix: 'tenantgate_' });
  return registry;
}

/** Returns the metric registered under `name`, creating it once. */
export function counter<L extends string>(registry: client.Registry, name: string, help: string, labelNames: readonly L[]): client.Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Counter<L>;
  return new client.Counter<L>({ name, help, labelNames, registers: [registry] });
}

export function histogram<L extends string>(
  registry: client.Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets?: number[],
): client.Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Histogram<L>;
  return new client.Histogram<L>({ name, help, labelNames, registers: [registry], ...(buckets ? { buckets } : {}) });
}

export function gauge<L extends string>(registry: client.Registry, name: string, help: string, labelNames: readonly L[]): client.Gauge<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Gauge<L>;
  return new client.Gauge<L>({ name, help, labelNames, registers: [registry] });
}
