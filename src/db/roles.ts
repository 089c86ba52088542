/**
 * Provisioning of the two database roles: an owner that holds the schema (and runs the
 * migrations) and a runtime role that serves requests — neither superuser, nor BYPASSRLS,
 * nor the tables' owner, and not a member of the owner.
 */
import pg from 'pg';
import { TenantgateError } from '../contract/errors.ts';

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

/** The migrator lacks a privilege the step needs: the message carries the SQL a DBA runs instead. */
export class ProvisioningError extends TenantgateError {
  constructor(message: string) {
    super('migration_failed', message);
  }
}

const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Creates the roles when missing (idempotent; safe when several processes race) and grants
 * the owner what it needs on the current database — only what is not already held, so
 * roles and grants a DBA made up front need no privilege at all. `runtimePassword` is set
 * at creation and, with `resetPassword`, on every call (ALTER ROLE, needs CREATEROLE).
 */
export async function provisionRoles(admin: pg.ClientBase, roles: RoleNames, runtimePassword: string, resetPassword = false): Promise<void> {
  const me = (await admin.query<{ name: string; rolsuper: boolean; rolcreaterole: boolean }>('select rolname as name, rolsuper, rolcreaterole from pg_roles where rolname = current_user')).rows[0];
  const current = (await admin.query<{ db: string }>('select current_database() as db')).rows[0].db;
  const canCreateRoles = me.rolsuper || me.rolcreaterole;
  const exists = async (role: string) => (await admin.query('select 1 from pg_roles where rolname = $1', [role])).rowCount === 1;
  const dbaScript = [
    `CREATE ROLE ${quoteIdent(roles.owner)} NOLOGIN;`,
    `CREATE ROLE ${quoteIdent(roles.runtime)} LOGIN PASSWORD '…' NOINHERIT;`,
    `GRANT ${quoteIdent(roles.owner)} TO ${quoteIdent(me.name)};`,
  ].join(' ');
  const create = async (role: string, sql: string) => {
    if (await exists(role)) return false;
    if (!canCreateRoles) {
      throw new ProvisioningError(`role ${role} does not exist and the migrator ${me.name} may not create roles (no CREATEROLE): have the DBA run: ${dbaScript} (docs/database-roles.md)`);
    }
    try {
      await admin.query(sql);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== DUPLICATE_OBJECT && code !== UNIQUE_VIOLATION) throw err;
    }
    return true;
  };
  await create(roles.owner, `create role ${quoteIdent(roles.owner)} nologin nosuperuser nobypassrls`);
  const created = await create(
    roles.runtime,
    `create role ${quoteIdent(roles.runtime)} login password ${quoteLiteral(runtimePassword)} nosuperuser nobypassrls nocreatedb nocreaterole noinherit`,
  );
  if (!created && resetPassword) {
    if (!canCreateRoles) {
      throw new ProvisioningError(`resetting the password of ${roles.runtime} needs CREATEROLE, which the migrator ${me.name} lacks: have the DBA run ALTER ROLE ${quoteIdent(roles.runtime)} PASSWORD '…'`);
    }
    await admin.query(`alter role ${quoteIdent(roles.runtime)} password ${quoteLiteral(runtimePassword)}`);
  }
  // The migrator must be able to act as the owner (superusers can already).
  if (!me.rolsuper) {
    const member = (await admin.query<{ ok: boolean }>("select pg_has_role(current_user, $1, 'MEMBER') as ok", [roles.owner])).rows[0].ok;
    if (!member) {
      await admin.query(`grant ${quoteIdent(roles.owner)} to current_user`).catch((err) => {
        throw new ProvisioningError(`the migrator ${me.name} is not a member of ${roles.owner} and may not grant it (${(err as Error).message}): have the DBA run GRANT ${quoteIdent(roles.owner)} TO ${quoteIdent(me.name)};`);
      });
    }
  }
  const grants: { held: string; params: string[]; sql: string }[] = [
    { held: "has_database_privilege($1, $2, 'CONNECT') and has_database_privilege($1, $2, 'CREATE')", params: [roles.owner, current], sql: `grant connect, create on database ${quoteIdent(current)} to ${quoteIdent(roles.owner)}` },
    { held: "has_database_privilege($1, $2, 'CONNECT')", params: [roles.runtime, current], sql: `grant connect on database ${quoteIdent(current)} to ${quoteIdent(roles.runtime)}` },
    { held: "has_schema_privilege($1, 'public', 'USAGE') and has_schema_privilege($1, 'public', 'CREATE')", params: [roles.owner], sql: `grant usage, create on schema public to ${quoteIdent(roles.owner)}` },
    { held: "has_schema_privilege($1, 'public', 'USAGE')", params: [roles.runtime], sql: `grant usage on schema public to ${quoteIdent(roles.runtime)}` },
  ];
  for (const g of grants) {
    if ((await admin.query<{ ok: boolean }>(`select ${g.held} as ok`, g.params)).rows[0].ok) continue;
    try {
      await admin.query(g.sql);
    } catch (err) {
      if ((err as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw err;
      throw new ProvisioningError(`the migrator ${me.name} may not run "${g.sql}": have the DBA run it (docs/database-roles.md)`);
    }
  }
}
