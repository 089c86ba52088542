/** Failures the console's HTTP client reports to its callers. */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly traceId: string | null;
  /** The whole problem body: some answers carry more (a refusal's table of checks). */
  readonly body: Record<string, unknown>;
  constructor(status: number, code: string | null, detail: string, traceId: string | null, body: Record<string, unknown> = {}) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.traceId = traceId;
    this.body = body;
  }
}

/** An answer that arrived after the tenant it was asked for stopped being the current one. */
export class StaleResponseError extends Error {
  constructor() {
    super('the tenant changed while this request was in flight; its answer was discarded');
    this.name = 'StaleResponseError';
  }
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.code ? `${err.message} (${err.code}, HTTP ${err.status})` : `${err.message} (HTTP ${err.status})`;
  if (err instanceof Error) return err.message;
  return String(err);
}
