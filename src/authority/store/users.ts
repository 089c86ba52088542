/** Users of the password and authorization-code grants: records and audited changes. */
import { randomUUID } from 'node:crypto';
import { ContractError } from '../../contract/errors.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import { hashPassword } from '../secrets/password.ts';
import { recordRevocation } from '../tokens/revocations.ts';
import { assertTenantsExist, assignmentIsEmpty, parseAssignment, removedTenants, type Assignment } from './assignment.ts';

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  tenant: string | null;
  tenants: string[];
  scopes: string[];
  createdAt: string;
  updatedAt: string;
}

export type UserView = Omit<UserRecord, 'passwordHash'>;

export function userView(u: UserRecord): UserView {
  const { passwordHash: _omitted, ...view } = u;
  return view;
}

function toRecord(r: any): UserRecord {
  return {
    id: r.id,
    username: r.username,
    passwordHash: r.password_hash,
    tenant: r.tenant,
    tenants: r.tenants,
    scopes: r.scopes,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export async function findUserByName(db: Queryable, username: string): Promise<UserRecord | null> {
  const { rows } = await db.query('select * from authority.users where username = $1', [username]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function findUserById(db: Queryable, id: string): Promise<UserRecord | null> {
  const { rows } = await db.query('select * from authority.users where id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Admin paths name a user by username (ids are opaque); either is accepted. */
async function lockUser(db: Queryable, ref: string): Promise<UserRecord | null> {
  const { rows } = await db.query('select * from authority.users where username = $1 or id = $1 for update', [ref]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function listUsers(db: Queryable): Promise<UserRecord[]> {
  const { rows } = await db.query('select * from authority.users order by username');
  return rows.map(toRecord);
}

export async function getUser(db: Queryable, ref: string): Promise<UserRecord | null> {
  const { rows } = await db.query('select * from authority.users where username = $1 or id = $1', [ref]);
  return rows[0] ? toRecord(rows[0]) : null;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

export interface UserInput {
  username?: unknown;
  password?: unknown;
  tenant?: unknown;
  tenants?: unknown;
  scopes?: unknown;
}

function parseScopes(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))) {
    throw new ContractError('validation_failed', 'scopes must be a list of scope names');
  }
  return [...new Set(list as string[])];
}

function parsePassword(value: unknown): string {
  if (typeof value !== 'string' || value.length < 8 || value.length > 1024) throw new ContractError('validation_failed', 'password must be 8–1024 characters');
  return value;
}

function assignmentOf(u: UserRecord | null): Assignment | null {
  return u ? { tenant: u.tenant, tenants: u.tenants } : null;
}

export async function createUser(db: Database, input: UserInput, actor: string): Promise<UserView> {
  if (typeof input.username !== 'string' || !USERNAME.test(input.username)) {
    throw new ContractError('validation_failed', 'username must match ^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$');
  }
  const password = parsePassword(input.password);
  const assignment = parseAssignment(input);
  if (assignmentIsEmpty(assignment)) throw new ContractError('tenant_assignment_missing', 'a user needs a tenant or tenants assignment');
  const scopes = input.scopes === undefined ? [] : parseScopes(input.scopes);
  const passwordHash = await hashPassword(password);
  return db.withTransaction(async (tx) => {
    await assertTenantsExist(tx, assignment);
    const { rows } = await tx.query(
      `insert into authority.users (id, username, password_hash, tenant, tenants, scopes) values ($1, $2, $3, $4, $5, $6)
       on conflict (username) do nothing returning *`,
      [randomUUID(), input.username, passwordHash, assignment.tenant, assignment.tenants, scopes],
    );
    if (!rows[0]) throw new ContractError('conflict', `user '${String(input.username)}' already exists`);
    const created = toRecord(rows[0]);
    await writeAudit(tx, { type: 'authority.user.created', outcome: 'success', actor, properties: { user: created.username, userId: created.id, before: null, after: assignmentOf(created) } });
    return userView(created);
  });
}

export async function updateUser(db: Database, ref: string, input: Omit<UserInput, 'username'>, actor: string): Promise<UserView> {
  const passwordHash = input.password === undefined ? null : await hashPassword(parsePassword(input.password));
  const parsed = input.tenant !== undefined || input.tenants !== undefined ? parseAssignment(input) : null;
  const scopes = input.scopes === undefined ? null : parseScopes(input.scopes);
  return db.withTransaction(async (tx) => {
    const before = await lockUser(tx, ref);
    if (!before) throw new ContractError('not_found', `user '${ref}' does not exist`);
    const assignment: Assignment = {
      tenant: input.tenant !== undefined ? (parsed?.tenant ?? null) : before.tenant,
      tenants: input.tenants !== undefined ? (parsed?.tenants ?? []) : before.tenants,
    };
    if (assignmentIsEmpty(assignment)) throw new ContractError('tenant_assignment_missing', 'a user needs a tenant or tenants assignment');
    await assertTenantsExist(tx, assignment);
    const { rows } = await tx.query(
      `update authority.users set password_hash = coalesce($2, password_hash), tenant = $3, tenants = $4, scopes = coalesce($5, scopes), updated_at = now()
       where id = $1 returning *`,
      [before.id, passwordHash, assignment.tenant, assignment.tenants, scopes],
    );
    const after = toRecord(rows[0]);
    // Tokens for a tenant taken away, or carrying a scope taken away, stop working at every gateway.
    for (const tenant of removedTenants(before, after)) await recordRevocation(tx, { subject: after.id, tenant, reason: 'tenant removed from the user' });
    if (before.scopes.some((s) => !after.scopes.includes(s))) await recordRevocation(tx, { subject: after.id, reason: 'scopes removed from the user' });
    await writeAudit(tx, {
      type: 'authority.user.updated',
      outcome: 'success',
      actor,
      properties: { user: after.username, userId: after.id, before: assignmentOf(before), after: assignmentOf(after), passwordChanged: passwordHash !== null },
    });
    return userView(after);
  });
}

export async function deleteUser(db: Database, ref: string, actor: string): Promise<void> {
  await db.withTransaction(async (tx) => {
    const before = await lockUser(tx, ref);
    if (!before) throw new ContractError('not_found', `user '${ref}' does not exist`);
    await tx.query('delete from authority.users where id = $1', [before.id]);
    await tx.query('update authority.refresh_tokens set revoked_at = now() where user_id = $1 and revoked_at is null', [before.id]);
    await recordRevocation(tx, { subject: before.id, reason: 'user deleted' });
    await writeAudit(tx, { type: 'authority.user.deleted', outcome: 'success', actor, properties: { user: before.username, userId: before.id, before: assignmentOf(before), after: null } });
  });
}
