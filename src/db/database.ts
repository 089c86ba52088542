/**
 * The runtime database handle every component uses: a pool under the runtime role that no
 * code outside `src/db` reaches. Callers get narrow handles instead:
 * - `withTenant(tenant, (tx) => …)` — a transaction whose `app.tenant_id` is the tenant
 *   (CONTRACT.md §7); `tx.tenant` carries it, so tenant stores take the handle only;
 * - `withTransaction((tx) => …)` — a plain transaction for tables that are not tenant-scoped;
 * - `query(…)` — one statement outside any tenant (the Database is itself a `Queryable`).
 */
import pg from 'pg';
import { isNormalizedTenantId } from '../contract/tenant.ts';
import { asUnavailable, DatabaseUnavailableError } from './unavailable.ts';

/** Anything that runs one statement: the Database or a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = any>(text: string | pg.QueryConfig, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A statement runner inside one open transaction. */
export interface Tx extends Queryable {
  readonly inTransaction: true;
}

/** A transaction confined by row-level security to `tenant`. */
export interface TenantTx extends Tx {
  readonly tenant: string;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface DatabaseOptions {
  max?: number;
  applicationName?: string;
  /** How long a request waits for a pool connection before the database counts as unavailable. */
  connectTimeoutMs?: number;
  /** Server-side bound on one statement; the client gives up one second later (a hung server). */
  statementTimeoutMs?: number;
}

/** Outages surface as DatabaseUnavailableError (503); every other error as it was. */
async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asUnavailable(err);
  }
}

function runner(client: pg.PoolClient): Queryable {
  return { query: (text, params) => guarded(() => client.query(text as string, params)) };
}

export class Database implements Queryable {
  readonly #pool: pg.Pool;

  constructor(runtimeUrl: string, options: DatabaseOptions = {}) {
    const statementTimeoutMs = options.statementTimeoutMs ?? 5_000;
    this.#pool = new pg.Pool({
      connectionString: runtimeUrl,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'tenantgate',
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + 1_000,
    });
    // An idle client losing its connection (database restart) must not crash the process.
    this.#pool.on('error', () => undefined);
    // A checked-out client whose connection drops also emits 'error'; the failing query
    // already rejects, so the event itself must not crash the process.
    this.#pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /**
   * Runs `fn` in a transaction whose `app.tenant_id` is `tenant` (transaction-local, so safe
   * behind poolers). Row-level security then confines every statement to that tenant.
   */
  async withTenant<T>(tenant: string, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
    if (!isNormalizedTenantId(tenant)) throw new TypeError('withTenant needs a normalized tenant id');
    return this.transaction(async (client) => {
      await guarded(() => client.query("select set_config('app.tenant_id', $1, true)", [tenant]));
      return fn({ ...runner(client), inTransaction: true, tenant });
    });
  }

  /** A plain transaction for tables that are not tenant-scoped. */
  async withTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction((client) => fn({ ...runner(client), inTransaction: true }));
  }

  // No session-level handle on purpose: behind a transaction pooler a "session" spans
  // several server connections, so session state (advisory locks, SET) would leak.

  /** One statement outside any tenant (non-tenant tables only). */
  async query<R extends pg.QueryResultRow = any>(text: string | pg.QueryConfig, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return guarded(() => this.#pool.query<R>(text as string, params));
  }

  stats(): PoolStats {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  /** One round trip, given up after `timeoutMs` (readiness must answer even when the server hangs). */
  async ping(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection timeout: no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.query('select 1'), timeout.catch((err) => Promise.reject(asUnavailable(err)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await guarded(() => this.#pool.connect());
    let broken = false;
    try {
      await guarded(() => client.query('begin'));
      const result = await fn(client);
      await guarded(() => client.query('commit'));
      return result;
    } catch (err) {
      // A connection that failed is discarded (the server rolls back on its own), not asked
      // to roll back: on a hung server that would wait out a second timeout.
      if (err instanceof DatabaseUnavailableError) broken = true;
      else
        await client.query('rollback').catch(() => {
          broken = true;
        });
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
