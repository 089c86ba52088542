/** One call to an upstream, as its client span describes it. */
export interface UpstreamCall {
  method: string;
  origin: URL;
  /** Path and query as sent (the query is dropped before export, see redact.ts). */
  target: string;
}

/**
 * The process's tracing, when it has any. The OpenTelemetry tracer provider is process-wide
 * by design; this is the one handle on it the rest of tenantgate sees, and it is null unless
 * the standard variables asked for tracing, so code that traces does nothing otherwise.
 */
export interface ActiveTracing {
  /**
   * Names the current server span after its route template (`GET /api/v1/scans/:id`, never the
   * raw URL) and adds `attributes`; without a route (no route matched) only the attributes.
   */
  nameRequest(method: string, route: string | undefined, attributes?: Record<string, string>): void;
  /**
   * Starts the client span of an upstream call as a child of the current span (none outside a
   * trace) and adds its trace-context headers to `headers` (names and values, one after the
   * other). The returned function ends the span: with the answer's status, or 0 when none came,
   * and the failure's code when there was one.
   */
  clientCall(call: UpstreamCall, headers: string[]): (status: number, error?: string) => void;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Flushes, then stops exporting. */
  shutdown(): Promise<void>;
}

let active: ActiveTracing | null = null;

export function activeTracing(): ActiveTracing | null {
  return active;
}

export function setActiveTracing(tracing: ActiveTracing | null): void {
  active = tracing;
}

/** Exports what has ended (a stopping stack calls this; a no-op without tracing). */
export async function flushTracing(): Promise<void> {
  await active?.flush().catch(() => undefined);
}
