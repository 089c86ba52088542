/**
 * Provisioning of the two database roles: an owner that holds the schema (and runs the
 * migrations) and a runtime role that serves requests — neither superuser, nor BYPASSRLS,
 * nor the tables' owner, and not a member of the owner.
 */
import pg from 'pg';

export interface RoleNames {
  owner: string;
  runtime: string;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const DUPLICATE_OBJECT = '42710';
const UNIQUE_VIOLATION = '23505';

/**
 * Creates the roles when missing (idempotent; safe when several processes race) and grants
 * the owner what it needs on the current database. `runtimePassword` is set at creation
 * and, with `resetPassword`, on every call.
 */
export async function provisionRoles(admin: pg.ClientBase, roles: RoleNames, runtimePassword: string, resetPassword = false): Promise<void> {
  const exists = async (role: string) => (await admin.query('select 1 from pg_roles where rolname = $1', [role])).rowCount === 1;
  const create = async (sql: string) => {
    try {
      await admin.query(sql);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== DUPLICATE_OBJECT && code !== UNIQUE_VIOLATION) throw err;
    }
  };
  if (!(await exists(roles.owner))) {
    await create(`create role ${quoteIdent(roles.owner)} nologin nosuperuser nobypassrls`);
  }
  if (!(await exists(roles.runtime))) {
    await create(
      `create role ${quoteIdent(roles.runtime)} login password ${quoteLiteral(runtimePassword)} nosuperuser nobypassrls nocreatedb nocreaterole noinherit`,
    );
  } else if (resetPassword) {
    await admin.query(`alter role ${quoteIdent(roles.runtime)} password ${quoteLiteral(runtimePassword)}`);
  }
  // The migrator must be able to act as the owner (superusers can already).
  const me = (await admin.query<{ rolsuper: boolean }>('select rolsuper from pg_roles where rolname = current_user')).rows[0];
  if (!me?.rolsuper) {
    await admin.query(`grant ${quoteIdent(roles.owner)} to current_user`).catch(() => undefined);
  }
  const current = (await admin.query<{ db: string }>('select current_database() as db')).rows[0].db;
  await admin.query(`grant connect, create on database ${quoteIdent(current)} to ${quoteIdent(roles.owner)}`);
  await admin.query(`grant connect on database ${quoteIdent(current)} to ${quoteIdent(roles.runtime)}`);
  await admin.query(`grant usage, create on schema public to ${quoteIdent(roles.owner)}`);
  await admin.query(`grant usage on schema public to ${quoteIdent(roles.runtime)}`);
}
