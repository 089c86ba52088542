/**
 * Which database failures are an outage (answered 503 `unavailable`, worth retrying) rather
 * than a bug: the server refused or dropped the connection, is shutting down or starting,
 * has no connection slot left, or did not answer in time. Everything else stays what it is.
 */
import { TenantgateError } from '../contract/errors.ts';

/** SQLSTATEs of an unavailable server (PostgreSQL appendix A). */
const unavailableStates = new Set([
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovery)
  '57014', // query_canceled: the statement timeout fired
  '55P03', // lock_not_available: lock timeout
]);

const unavailableSyscalls = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

// node-postgres' own messages for a pool or connection that gave up.
const unavailableMessages = [/timeout exceeded when trying to connect/i, /connection terminated/i, /query read timeout/i, /not queryable/i, /connection timeout/i];

/** The cause's short name, used to group repeated failures in the log. */
export function outageCause(err: unknown): string | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (code.startsWith('08') || unavailableStates.has(code) || unavailableSyscalls.has(code)) return code;
  const message = typeof e.message === 'string' ? e.message : '';
  const m = unavailableMessages.find((r) => r.test(message));
  return m ? message.replace(/\s+/g, ' ').slice(0, 80) : null;
}

/** The database did not serve a statement: the caller may retry after `retryAfterSeconds`. */
export class DatabaseUnavailableError extends TenantgateError {
  readonly outage: string;
  constructor(outage: string, cause: unknown) {
    super('unavailable', 'the database is unavailable; retry shortly', { cause });
    this.outage = outage;
  }
}

/** Rethrows an outage as DatabaseUnavailableError; anything else unchanged. */
export function asUnavailable(err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError) return err;
  const cause = outageCause(err);
  return cause ? new DatabaseUnavailableError(cause, err) : err;
}
