/** Users of the password and authorization-code grants: records and audited changes. */
import { randomUUID } from 'node:crypto';
import { ContractError } from '../../contract/errors.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import { hashPassword } from '../secrets/password.ts';
import { assertTenantsExist, assertWithinReach, assignedTenants, assignmentIsEmpty, fleetReach, parseAssignment, parseFleetRoles, resolveRoles, type Assignment, type WriteReach } from './assignment.ts';
import { auditDisabledChange, disabledStateOf, heldAssignment, revokeWhatTheUpdateTookAway, setDisabledAt, type DisabledState, type HeldAssignment } from './holder.ts';
import { revokeEverythingIssuedTo } from '../tokens/revocations.ts';

/** A user: a role in each assigned tenant and, when disabled, no sign-in or refresh. */
export interface UserRecord extends HeldAssignment, DisabledState {
  id: string;
  username: string;
  passwordHash: string;
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
    roles: r.roles ?? {},
    fleetRoles: r.fleet_roles ?? [],
    ...disabledStateOf(r),
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

export interface UserInput {
  username?: unknown;
  password?: unknown;
  tenant?: unknown;
  tenants?: unknown;
  /** The role in every assigned tenant `roles` does not name. */
  role?: unknown;
  /** A role per tenant: `{"tenant-alpha":"admin"}` or `tenant-alpha=admin,tenant-bravo=viewer`. */
  roles?: unknown;
  fleetRoles?: unknown;
}

export interface UserUpdate extends Omit<UserInput, 'username'> {
  /** true disables the user (revoking everything issued to them so far), false enables them again. */
  disabled?: unknown;
}

/** Users held a scope list before roles; refusing it says where scopes come from now. */
function refuseScopeList(input: object): void {
  if ((input as { scopes?: unknown }).scopes !== undefined) {
    throw new ContractError('validation_failed', "a user's scopes come from its roles: set role, roles or fleetRoles instead of scopes");
  }
}

function parsePassword(value: unknown): string {
  if (typeof value !== 'string' || value.length < 8 || value.length > 1024) throw new ContractError('validation_failed', 'password must be 8–1024 characters');
  return value;
}

/** `reach` limits a tenant admin to users held by its own tenant alone. */
export async function createUser(db: Database, input: UserInput, actor: string, reach: WriteReach = fleetReach): Promise<UserView> {
  if (typeof input.username !== 'string' || !USERNAME.test(input.username)) {
    throw new ContractError('validation_failed', 'username must match ^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$');
  }
  refuseScopeList(input);
  const password = parsePassword(input.password);
  const assignment = parseAssignment(input);
  if (assignmentIsEmpty(assignment)) throw new ContractError('tenant_assignment_missing', 'a user needs a tenant or tenants assignment');
  const roles = resolveRoles(assignedTenants(assignment), input);
  const fleet = input.fleetRoles === undefined ? [] : parseFleetRoles(input.fleetRoles);
  assertWithinReach(reach, `user '${String(input.username)}'`, assignment, fleet);
  const passwordHash = await hashPassword(password);
  return db.withTransaction(async (tx) => {
    await assertTenantsExist(tx, assignment);
    const { rows } = await tx.query(
      `insert into authority.users (id, username, password_hash, tenant, tenants, roles, fleet_roles) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (username) do nothing returning *`,
      [randomUUID(), input.username, passwordHash, assignment.tenant, assignment.tenants, JSON.stringify(roles), fleet],
    );
    if (!rows[0]) throw new ContractError('conflict', `user '${String(input.username)}' already exists`);
    const created = toRecord(rows[0]);
    await writeAudit(tx, { type: 'authority.user.created', outcome: 'success', actor, tenant: reach.tenant, properties: { user: created.username, userId: created.id, before: null, after: heldAssignment(created) } });
    return userView(created);
  });
}

export async function updateUser(db: Database, ref: string, input: UserUpdate, actor: string, reach: WriteReach = fleetReach): Promise<UserView> {
  refuseScopeList(input);
  if (input.disabled !== undefined && typeof input.disabled !== 'boolean') throw new ContractError('validation_failed', 'disabled must be a boolean');
  const passwordHash = input.password === undefined ? null : await hashPassword(parsePassword(input.password));
  const parsed = input.tenant !== undefined || input.tenants !== undefined ? parseAssignment(input) : null;
  const fleetInput = input.fleetRoles === undefined ? null : parseFleetRoles(input.fleetRoles);
  return db.withTransaction(async (tx) => {
    const before = await lockUser(tx, ref);
    if (!before) throw new ContractError('not_found', `user '${ref}' does not exist`);
    assertWithinReach(reach, `user '${before.username}'`, before, before.fleetRoles);
    const assignment: Assignment = {
      tenant: input.tenant !== undefined ? (parsed?.tenant ?? null) : before.tenant,
      tenants: input.tenants !== undefined ? (parsed?.tenants ?? []) : before.tenants,
    };
    if (assignmentIsEmpty(assignment)) throw new ContractError('tenant_assignment_missing', 'a user needs a tenant or tenants assignment');
    const roles = resolveRoles(assignedTenants(assignment), input, before.roles);
    const fleet = fleetInput ?? before.fleetRoles;
    assertWithinReach(reach, `user '${before.username}'`, assignment, fleet);
    await assertTenantsExist(tx, assignment);
    const disabled = input.disabled ?? before.disabled;
    const { rows } = await tx.query(
      `update authority.users set password_hash = coalesce($2, password_hash), tenant = $3, tenants = $4, roles = $5, fleet_roles = $6,
         ${setDisabledAt('$7')}, updated_at = now()
       where id = $1 returning *`,
      [before.id, passwordHash, assignment.tenant, assignment.tenants, JSON.stringify(roles), fleet, disabled],
    );
    const after = toRecord(rows[0]);
    // Disabling ends every token issued to the user, through any client; so does a tenant taken away for its tokens.
    await revokeWhatTheUpdateTookAway(tx, { userId: after.id }, before, after);
    await writeAudit(tx, {
      type: 'authority.user.updated',
      outcome: 'success',
      actor,
      tenant: reach.tenant,
      properties: { user: after.username, userId: after.id, before: heldAssignment(before), after: heldAssignment(after), passwordChanged: passwordHash !== null, disabled: after.disabled },
    });
    await auditDisabledChange(tx, before, after, { kind: 'user', actor, tenant: reach.tenant, properties: { user: after.username, userId: after.id } });
    return userView(after);
  });
}

export async function deleteUser(db: Database, ref: string, actor: string, reach: WriteReach = fleetReach): Promise<void> {
  await db.withTransaction(async (tx) => {
    const before = await lockUser(tx, ref);
    if (!before) throw new ContractError('not_found', `user '${ref}' does not exist`);
    assertWithinReach(reach, `user '${before.username}'`, before, before.fleetRoles);
    await tx.query('delete from authority.users where id = $1', [before.id]);
    await revokeEverythingIssuedTo(tx, { userId: before.id }, 'user deleted');
    await writeAudit(tx, { type: 'authority.user.deleted', outcome: 'success', actor, tenant: reach.tenant, properties: { user: before.username, userId: before.id, before: heldAssignment(before), after: null } });
  });
}
