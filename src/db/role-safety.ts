/**
 * Startup role-safety check: refuse to serve with a runtime role that could bypass
 * row-level security, and say exactly how to fix it.
 */
import type { Queryable } from './database.ts';
import { TenantgateError } from '../contract/errors.ts';

export class UnsafeRoleError extends TenantgateError {
  constructor(message: string) {
    super('unsafe_database_role', message);
  }
}

export async function assertRuntimeRoleSafe(client: Queryable, ownerRole: string): Promise<void> {
  const { rows } = await client.query<{ role: string; rolsuper: boolean; rolbypassrls: boolean; owns: number; member: boolean }>(
    `select r.rolname as role, r.rolsuper, r.rolbypassrls,
            (select count(*)::int from pg_class c where c.relowner = r.oid and c.relrowsecurity) as owns,
            coalesce((select pg_has_role(r.oid, o.oid, 'MEMBER') from pg_roles o where o.rolname = $1), false) as member
       from pg_roles r where r.rolname = current_user`,
    [ownerRole],
  );
  const r = rows[0];
  if (!r) throw new UnsafeRoleError('cannot read the current role from pg_roles');
  const problems: string[] = [];
  if (r.rolsuper) problems.push(`it is a superuser (fix: ALTER ROLE ${r.role} NOSUPERUSER, or connect as the runtime role)`);
  if (r.rolbypassrls) problems.push(`it has BYPASSRLS (fix: ALTER ROLE ${r.role} NOBYPASSRLS)`);
  if (r.owns > 0) problems.push(`it owns ${r.owns} table(s) with row-level security (fix: ALTER TABLE … OWNER TO ${ownerRole})`);
  if (r.member && r.role !== ownerRole) problems.push(`it is a member of the owner role ${ownerRole} (fix: REVOKE ${ownerRole} FROM ${r.role})`);
  if (r.role === ownerRole) problems.push(`it is the owner role itself (fix: set database.runtimeUrl to the runtime role)`);
  if (problems.length > 0) {
    throw new UnsafeRoleError(`refusing to serve: runtime database role "${r.role}" could bypass row-level security — ${problems.join('; ')}`);
  }
}
