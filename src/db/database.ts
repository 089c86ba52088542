/**
 * The runtime database handle every component uses: a pool under the runtime role that no
 * code outside `src/db` reaches. Callers get narrow handles instead:
 * - `withTenant(tenant, (tx) => …)` — a transaction whose `app.tenant_id` is the tenant
 *   (CONTRACT.md §7); `tx.tenant` carries it, so tenant stores take the handle only;
 * - `withTransaction((tx) => …)` — a plain transaction for tables that are not tenant-scoped;
 * - `withSession((s) => …)` — one connection held for a session-level lock;
 * - `query(…)` — one statement outside any tenant (the Database is itself a `Queryable`).
 */
import pg from 'pg';
import { isNormalizedTenantId } from '../contract/tenant.ts';

/** Anything that runs one statement: the Database, a transaction, a session. */
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

/** One connection held for the callback's lifetime (session-level advisory locks). */
export type Session = Queryable;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

function runner(client: pg.PoolClient): Queryable {
  return { query: (text, params) => client.query(text as string, params) };
}

export class Database implements Queryable {
  readonly #pool: pg.Pool;

  constructor(runtimeUrl: string, options: { max?: number; applicationName?: string } = {}) {
    this.#pool = new pg.Pool({
      connectionString: runtimeUrl,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'tenantgate',
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
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
      await client.query("select set_config('app.tenant_id', $1, true)", [tenant]);
      return fn({ ...runner(client), inTransaction: true, tenant });
    });
  }

  /** A plain transaction for tables that are not tenant-scoped. */
  async withTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction((client) => fn({ ...runner(client), inTransaction: true }));
  }

  /** Holds one connection (outside any transaction) while `fn` runs. */
  async withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      return await fn(runner(client));
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** One statement outside any tenant (non-tenant tables only). */
  async query<R extends pg.QueryResultRow = any>(text: string | pg.QueryConfig, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.#pool.query<R>(text as string, params);
  }

  stats(): PoolStats {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  async ping(): Promise<void> {
    await this.#pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('begin');
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
