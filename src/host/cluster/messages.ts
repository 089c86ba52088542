/**
 * What a cluster primary and its workers say to each other over the IPC channel node:cluster
 * opens. Every message carries a `tenantgate:` type, so other users of the channel (none
 * today) cannot be mistaken for these.
 */
import type { Registry } from 'prom-client';

/** prom-client's JSON form of one registry (`registry.getMetricsAsJSON()`). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export type PrimaryMessage<P> =
  /** The answer to `ready`: what the worker needs to start serving. */
  | { type: 'tenantgate:start'; payload: P }
  /** The primary gathers a scrape: the worker answers with its registries as JSON. */
  | { type: 'tenantgate:metrics-collect'; id: number }
  /** The cluster's metrics, aggregated, for the worker that asked. */
  | { type: 'tenantgate:metrics-result'; id: number; text?: string; error?: string };

export type WorkerMessage =
  /**
   * Its code is loaded and listening on the channel (a message sent before that would be
   * lost: the channel does not buffer for a listener that does not exist yet).
   */
  | { type: 'tenantgate:ready' }
  /** Serving: its URL and the instance id it registered (telemetry.instances). */
  | { type: 'tenantgate:listening'; url: string; instanceIds: string[] }
  /** It could not start; it exits next. */
  | { type: 'tenantgate:failed'; message: string }
  | { type: 'tenantgate:metrics-part'; id: number; metrics: MetricsJson[] }
  /** A scrape arrived at this worker: the primary should aggregate the cluster. */
  | { type: 'tenantgate:metrics-request'; id: number };

export function isMessage<M extends { type: string }>(value: unknown): value is M {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && (value as { type: string }).type.startsWith('tenantgate:');
}
