/**
 * The runtime database handle every component uses: a pool under the runtime role,
 * `withTenant` (CONTRACT.md §7) for tenant tables and `withTransaction` for the rest.
 */
import pg from 'pg';
import { isNormalizedTenantId } from '../contract/tenant.ts';

export type Queryable = Pick<pg.ClientBase, 'query'>;

export class Database {
  readonly pool: pg.Pool;

  constructor(runtimeUrl: string, options: { max?: number; applicationName?: string } = {}) {
    this.pool = new pg.Pool({
      connectionString: runtimeUrl,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'tenantgate',
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
    });
    // An idle client losing its connection (database restart) must not crash the process.
    this.pool.on('error', () => undefined);
    // A checked-out client whose connection drops also emits 'error'; the failing query
    // already rejects, so the event itself must not crash the process.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /**
   * Runs `fn` in a transaction whose `app.tenant_id` is `tenant` (transaction-local, so safe
   * behind poolers). Row-level security then confines every statement to that tenant.
   */
  async withTenant<T>(tenant: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (!isNormalizedTenantId(tenant)) throw new TypeError('withTenant needs a normalized tenant id');
    return this.transaction(async (client) => {
      await client.query("select set_config('app.tenant_id', $1, true)", [tenant]);
      return fn(client);
    });
  }

  /** A plain transaction for tables that are not tenant-scoped. */
  async withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  /** One statement outside any tenant (non-tenant tables only). */
  async query<R extends pg.QueryResultRow = any>(text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, params);
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
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
