/**
 * Migration runner: ordered SQL files from src/db/migrations, each checksummed. An applied
 * migration whose file changed is refused (fix forward with a new file). Each file runs in
 * its own transaction as the owner role; `{{owner}}` and `{{runtime}}` expand to the
 * configured role names.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { provisionRoles, quoteIdent, type RoleNames } from './roles.ts';
import { TenantgateError } from '../contract/errors.ts';

export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  id: string;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends TenantgateError {
  constructor(message: string) {
    super('migration_failed', message);
  }
}

export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return { id: file.slice(0, 4), name: file.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export interface MigrateOptions {
  adminUrl: string;
  roles: RoleNames;
  runtimePassword: string;
  resetRuntimePassword?: boolean;
  migrations?: Migration[];
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

/**
 * Serializes concurrent migrators of one database. A transaction-level lock, taken again in
 * every transaction of the run: a session-level one would not hold behind a transaction
 * pooler (each transaction may get another server connection, and one server session that
 * already holds an advisory lock is granted it again), and the server drops it with the
 * transaction, so a crashed migrator never leaves it behind.
 */
const MIGRATION_LOCK = 7_314_002;

async function locked<T>(client: pg.Client, fn: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const result = await fn();
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const migrations = options.migrations ?? readMigrations();
  const client = new pg.Client({ connectionString: options.adminUrl });
  await client.connect();
  try {
    await locked(client, async () => {
      await provisionRoles(client, options.roles, options.runtimePassword, options.resetRuntimePassword);
      await client.query(`create table if not exists public.tenantgate_migrations (
        id text primary key, name text not null, checksum text not null, applied_at timestamptz not null default now())`);
      await client.query('revoke all on public.tenantgate_migrations from public');
      // Serving instances hold only the runtime role: they check the schema is current with it.
      await client.query(`grant select on public.tenantgate_migrations to ${quoteIdent(options.roles.runtime)}`);
    });
    const result: MigrateResult = { applied: [], skipped: [] };
    for (const m of migrations) {
      // Each file in its own transaction, holding the lock; what is applied is read under it.
      const outcome = await locked(client, async () => {
        const done = (await client.query<{ name: string; checksum: string }>('select name, checksum from public.tenantgate_migrations where id = $1', [m.id])).rows[0];
        if (done) {
          if (done.checksum !== m.checksum || done.name !== m.name) {
            throw new MigrationError(
              `migration ${m.name} was changed after it was applied (recorded ${done.name} sha256 ${done.checksum.slice(0, 12)}…, file sha256 ${m.checksum.slice(0, 12)}…): restore the file and add a new migration instead`,
            );
          }
          return 'skipped' as const;
        }
        try {
          await client.query(`set local role ${quoteIdent(options.roles.owner)}`);
          await client.query(expand(m.sql, options.roles));
          await client.query('reset role');
          await client.query('insert into public.tenantgate_migrations (id, name, checksum) values ($1, $2, $3)', [m.id, m.name, m.checksum]);
        } catch (err) {
          throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
        }
        return 'applied' as const;
      });
      result[outcome].push(m.name);
    }
    return result;
  } finally {
    await client.end();
  }
}

function expand(sql: string, roles: RoleNames): string {
  return sql.replaceAll('{{owner}}', quoteIdent(roles.owner)).replaceAll('{{runtime}}', quoteIdent(roles.runtime));
}
