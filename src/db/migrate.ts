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

/** Serializes concurrent migrators of one database. */
const MIGRATION_LOCK = 7_314_002;

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const migrations = options.migrations ?? readMigrations();
  const client = new pg.Client({ connectionString: options.adminUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await provisionRoles(client, options.roles, options.runtimePassword, options.resetRuntimePassword);
    await client.query(`create table if not exists public.tenantgate_migrations (
      id text primary key, name text not null, checksum text not null, applied_at timestamptz not null default now())`);
    await client.query('revoke all on public.tenantgate_migrations from public');
    const applied = new Map(
      (await client.query<{ id: string; name: string; checksum: string }>('select id, name, checksum from public.tenantgate_migrations')).rows.map((r) => [r.id, r]),
    );
    const result: MigrateResult = { applied: [], skipped: [] };
    for (const m of migrations) {
      const done = applied.get(m.id);
      if (done) {
        if (done.checksum !== m.checksum || done.name !== m.name) {
          throw new MigrationError(
            `migration ${m.name} was changed after it was applied (recorded ${done.name} sha256 ${done.checksum.slice(0, 12)}…, file sha256 ${m.checksum.slice(0, 12)}…): restore the file and add a new migration instead`,
          );
        }
        result.skipped.push(m.name);
        continue;
      }
      await client.query('begin');
      try {
        await client.query(`set local role ${quoteIdent(options.roles.owner)}`);
        await client.query(expand(m.sql, options.roles));
        await client.query('reset role');
        await client.query('insert into public.tenantgate_migrations (id, name, checksum) values ($1, $2, $3)', [m.id, m.name, m.checksum]);
        await client.query('commit');
        result.applied.push(m.name);
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
      }
    }
    return result;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}

function expand(sql: string, roles: RoleNames): string {
  return sql.replaceAll('{{owner}}', quoteIdent(roles.owner)).replaceAll('{{runtime}}', quoteIdent(roles.runtime));
}
