/** OAuth clients: records, validation and audited changes. */
import { assertKnownScopes, knownScopes, type KnownScopes } from './known-scopes.ts';
import { ContractError } from '../../contract/errors.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import { registerSynthetic } from '../../telemetry/synthetic.ts';
import { scopes } from '../../contract/scopes.ts';
import { digestClientSecret, generateClientSecret } from '../secrets/client-secret.ts';
import type { FleetRole } from '../../contract/roles.ts';
import { assertTenantsExist, assertWithinReach, assignedTenants, assignmentIsEmpty, fleetReach, parseAssignment, parseFleetRoles, resolveRoles, type Assignment, type TenantRoles, type WriteReach } from './assignment.ts';
import { auditDisabledChange, disabledStateOf, heldAssignment, revokeWhatTheUpdateTookAway, setDisabledAt, type DisabledState, type HeldAssignment } from './holder.ts';
import { recordRevocation, revokeEverythingIssuedTo } from '../tokens/revocations.ts';

/** What a client may register for its ID tokens: RS256 (the default) or an access-token algorithm. */
export const idTokenAlgorithms = ['RS256', 'EdDSA', 'ES256'] as const;
export type IdTokenAlgorithm = (typeof idTokenAlgorithms)[number];

function parseIdTokenAlg(value: unknown, fallback: IdTokenAlgorithm | null): IdTokenAlgorithm | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (typeof value !== 'string' || !(idTokenAlgorithms as readonly string[]).includes(value)) {
    throw new ContractError('validation_failed', `idTokenSignedResponseAlg must be one of ${idTokenAlgorithms.join(', ')} (or null for RS256)`);
  }
  return value as IdTokenAlgorithm;
}

export const grantTypes = ['client_credentials', 'password', 'authorization_code', 'refresh_token'] as const;
export type GrantType = (typeof grantTypes)[number];

/** A client: its own tokens' roles (client_credentials) and, when disabled, no token at all. */
export interface ClientRecord extends HeldAssignment, DisabledState {
  clientId: string;
  displayName: string;
  secretDigest: string | null;
  public: boolean;
  grantTypes: GrantType[];
  scopes: string[];
  redirectUris: string[];
  includeAllowedTenants: boolean;
  /** The algorithm of the client's ID tokens (OpenID `id_token_signed_response_alg`); null: RS256. */
  idTokenSignedResponseAlg: IdTokenAlgorithm | null;
  /** Created for synthetic traffic (the acceptance matrix): its counts stay out of the gates. */
  synthetic: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What the admin API and CLI show: everything but the secret digest. */
export type ClientView = Omit<ClientRecord, 'secretDigest'>;

export function clientView(c: ClientRecord): ClientView {
  const { secretDigest: _omitted, ...view } = c;
  return view;
}

function toRecord(r: any): ClientRecord {
  return {
    clientId: r.client_id,
    displayName: r.display_name,
    secretDigest: r.secret_digest,
    public: r.public,
    grantTypes: r.grant_types,
    scopes: r.scopes,
    tenant: r.tenant,
    tenants: r.tenants,
    roles: r.roles ?? {},
    fleetRoles: r.fleet_roles ?? [],
    redirectUris: r.redirect_uris,
    includeAllowedTenants: r.include_allowed_tenants,
    ...disabledStateOf(r),
    idTokenSignedResponseAlg: r.id_token_signed_response_alg ?? null,
    synthetic: r.synthetic === true,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export async function findClient(db: Queryable, clientId: string): Promise<ClientRecord | null> {
  const { rows } = await db.query('select * from authority.clients where client_id = $1', [clientId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function listClients(db: Queryable): Promise<ClientRecord[]> {
  const { rows } = await db.query('select * from authority.clients order by client_id');
  return rows.map(toRecord);
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

export interface ClientInput {
  clientId?: unknown;
  displayName?: unknown;
  grantTypes?: unknown;
  scopes?: unknown;
  tenant?: unknown;
  tenants?: unknown;
  role?: unknown;
  roles?: unknown;
  fleetRoles?: unknown;
  public?: unknown;
  redirectUris?: unknown;
  includeAllowedTenants?: unknown;
  idTokenSignedResponseAlg?: unknown;
  /** Only at creation, only by a fleet writer: a tenant admin must not hide its clients' legacy use. */
  synthetic?: unknown;
}

function stringList(value: unknown, name: string, pattern: RegExp): string[] {
  const list = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' && pattern.test(v))) {
    throw new ContractError('validation_failed', `${name} must be a list of valid values`);
  }
  return [...new Set(list as string[])];
}

function scopeList(value: unknown, known: KnownScopes): string[] {
  const list = stringList(value, 'scopes', SCOPE_TOKEN);
  assertKnownScopes(list, known);
  return list;
}

function parseGrantTypes(value: unknown): GrantType[] {
  const list = stringList(value, 'grantTypes', /^[a-z_]+$/);
  const unknown = list.filter((g) => !(grantTypes as readonly string[]).includes(g));
  if (unknown.length) throw new ContractError('validation_failed', `unknown grant type(s): ${unknown.join(', ')} (known: ${grantTypes.join(', ')})`);
  if (list.length === 0) throw new ContractError('validation_failed', 'grantTypes must not be empty');
  return list as GrantType[];
}

function parseRedirectUris(value: unknown): string[] {
  const list = stringList(value, 'redirectUris', /^\S+$/);
  for (const uri of list) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new ContractError('validation_failed', `redirect URI ${JSON.stringify(uri)} is not an absolute URL`);
    }
    if (url.hash) throw new ContractError('validation_failed', `redirect URI ${uri} must not contain a fragment`);
  }
  return list;
}

interface ClientShape {
  displayName: string;
  grantTypes: GrantType[];
  scopes: string[];
  assignment: Assignment;
  roles: TenantRoles;
  fleetRoles: FleetRole[];
  isPublic: boolean;
  redirectUris: string[];
  includeAllowedTenants: boolean;
  idTokenSignedResponseAlg: IdTokenAlgorithm | null;
}

function checkShape(shape: ClientShape): void {
  if (shape.isPublic && shape.grantTypes.some((g) => g === 'client_credentials' || g === 'password')) {
    throw new ContractError('validation_failed', 'a public client cannot use client_credentials or password');
  }
  if (shape.grantTypes.includes('authorization_code') && shape.redirectUris.length === 0) {
    throw new ContractError('validation_failed', 'authorization_code needs at least one redirect URI');
  }
  // A client acting for itself needs tenants; a user-only client may leave A to its users.
  if (shape.grantTypes.includes('client_credentials') && assignmentIsEmpty(shape.assignment)) {
    throw new ContractError('tenant_assignment_missing', 'a client using client_credentials needs a tenant or tenants assignment');
  }
}

/** `reach` limits a tenant admin to clients held by its own tenant alone. */
/** `known`: the scopes of this deployment (knownScopes(config)); without it, tenantgate's own and the built-in services'. */
export async function createClient(db: Database, input: ClientInput, actor: string, reach: WriteReach = fleetReach, known: KnownScopes = knownScopes()): Promise<{ client: ClientView; clientSecret: string | null }> {
  if (typeof input.clientId !== 'string' || !CLIENT_ID.test(input.clientId)) {
    throw new ContractError('validation_failed', 'clientId must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$');
  }
  const clientId = input.clientId;
  const isPublic = input.public === undefined ? false : input.public === true;
  if (input.public !== undefined && typeof input.public !== 'boolean') throw new ContractError('validation_failed', 'public must be a boolean');
  const assignment = parseAssignment(input);
  const shape: ClientShape = {
    displayName: input.displayName === undefined ? clientId : displayName(input.displayName),
    grantTypes: parseGrantTypes(input.grantTypes),
    scopes: input.scopes === undefined ? [] : scopeList(input.scopes, known),
    assignment,
    roles: resolveRoles(assignedTenants(assignment), input),
    fleetRoles: input.fleetRoles === undefined ? [] : parseFleetRoles(input.fleetRoles),
    isPublic,
    redirectUris: input.redirectUris === undefined ? [] : parseRedirectUris(input.redirectUris),
    includeAllowedTenants: booleanOr(input.includeAllowedTenants, 'includeAllowedTenants', true),
    idTokenSignedResponseAlg: parseIdTokenAlg(input.idTokenSignedResponseAlg, null),
  };
  checkShape(shape);
  if (reach.tenant !== null && assignmentIsEmpty(shape.assignment)) throw new ContractError('tenant_assignment_missing', `a tenant admin's client needs the tenant '${reach.tenant}' assignment`);
  assertWithinReach(reach, `client '${clientId}'`, shape.assignment, shape.fleetRoles);
  if (input.synthetic !== undefined && typeof input.synthetic !== 'boolean') throw new ContractError('validation_failed', 'synthetic must be a boolean');
  const synthetic = input.synthetic === true;
  if (synthetic && reach.tenant !== null) throw new ContractError('insufficient_scope', 'only a fleet writer may create a synthetic client', { requiredScope: scopes.fleetWrite });
  const clientSecret = isPublic ? null : generateClientSecret();
  return db.withTransaction(async (tx) => {
    await assertTenantsExist(tx, shape.assignment);
    const { rows } = await tx.query(
      `insert into authority.clients (client_id, display_name, secret_digest, public, grant_types, scopes, tenant, tenants, redirect_uris, include_allowed_tenants, roles, fleet_roles, id_token_signed_response_alg, synthetic)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) on conflict do nothing returning *`,
      [
        clientId,
        shape.displayName,
        clientSecret ? digestClientSecret(clientSecret) : null,
        isPublic,
        shape.grantTypes,
        shape.scopes,
        shape.assignment.tenant,
        shape.assignment.tenants,
        shape.redirectUris,
        shape.includeAllowedTenants,
        JSON.stringify(shape.roles),
        shape.fleetRoles,
        shape.idTokenSignedResponseAlg,
        synthetic,
      ],
    );
    if (!rows[0]) throw new ContractError('conflict', `client '${clientId}' already exists`);
    if (synthetic) await registerSynthetic(tx, 'client', clientId);
    const created = toRecord(rows[0]);
    await writeAudit(tx, {
      type: 'authority.client.created',
      outcome: 'success',
      actor,
      tenant: reach.tenant,
      client: clientId,
      properties: { before: null, after: heldAssignment(created), client: clientView(created) },
    });
    return { client: clientView(created), clientSecret };
  });
}

export interface ClientUpdate extends Omit<ClientInput, 'clientId' | 'public' | 'synthetic'> {
  rotateSecret?: unknown;
  /** true disables the client (revoking everything issued to it so far), false enables it again. */
  disabled?: unknown;
}

export async function updateClient(db: Database, clientId: string, input: ClientUpdate, actor: string, reach: WriteReach = fleetReach, known: KnownScopes = knownScopes()): Promise<{ client: ClientView; clientSecret: string | null }> {
  return db.withTransaction(async (tx) => {
    const found = await tx.query('select * from authority.clients where client_id = $1 for update', [clientId]);
    if (!found.rows[0]) throw new ContractError('not_found', `client '${clientId}' does not exist`);
    const before = toRecord(found.rows[0]);
    assertOwnedBy(reach, before);
    const touchesAssignment = input.tenant !== undefined || input.tenants !== undefined;
    const parsed = touchesAssignment ? parseAssignment(input) : null;
    const assignment: Assignment = parsed
      ? { tenant: input.tenant !== undefined ? parsed.tenant : before.tenant, tenants: input.tenants !== undefined ? parsed.tenants : before.tenants }
      : { tenant: before.tenant, tenants: before.tenants };
    const shape: ClientShape = {
      displayName: input.displayName === undefined ? before.displayName : displayName(input.displayName),
      grantTypes: input.grantTypes === undefined ? before.grantTypes : parseGrantTypes(input.grantTypes),
      scopes: input.scopes === undefined ? before.scopes : scopeList(input.scopes, known),
      assignment,
      roles: resolveRoles(assignedTenants(assignment), input, before.roles),
      fleetRoles: input.fleetRoles === undefined ? before.fleetRoles : parseFleetRoles(input.fleetRoles),
      isPublic: before.public,
      redirectUris: input.redirectUris === undefined ? before.redirectUris : parseRedirectUris(input.redirectUris),
      includeAllowedTenants: booleanOr(input.includeAllowedTenants, 'includeAllowedTenants', before.includeAllowedTenants),
      idTokenSignedResponseAlg: parseIdTokenAlg(input.idTokenSignedResponseAlg, before.idTokenSignedResponseAlg),
    };
    checkShape(shape);
    assertWithinReach(reach, `client '${clientId}'`, assignment, shape.fleetRoles);
    await assertTenantsExist(tx, assignment);
    const rotate = booleanOr(input.rotateSecret, 'rotateSecret', false);
    if (rotate && before.public) throw new ContractError('validation_failed', 'a public client has no secret to rotate');
    const clientSecret = rotate ? generateClientSecret() : null;
    const disabled = booleanOr(input.disabled, 'disabled', before.disabled);
    const { rows } = await tx.query(
      `update authority.clients set display_name = $2, grant_types = $3, scopes = $4, tenant = $5, tenants = $6, redirect_uris = $7,
         include_allowed_tenants = $8, secret_digest = coalesce($9, secret_digest), roles = $10, fleet_roles = $11,
         ${setDisabledAt('$12')}, id_token_signed_response_alg = $13, updated_at = now()
       where client_id = $1 returning *`,
      [
        clientId,
        shape.displayName,
        shape.grantTypes,
        shape.scopes,
        assignment.tenant,
        assignment.tenants,
        shape.redirectUris,
        shape.includeAllowedTenants,
        clientSecret ? digestClientSecret(clientSecret) : null,
        JSON.stringify(shape.roles),
        shape.fleetRoles,
        disabled,
        shape.idTokenSignedResponseAlg,
      ],
    );
    const after = toRecord(rows[0]);
    // Disabling ends every token issued to the client (and to its users through it); so do a tenant or a scope taken away for theirs.
    await revokeWhatTheUpdateTookAway(tx, { clientId }, before, after);
    if (before.scopes.some((s) => !after.scopes.includes(s))) await recordRevocation(tx, { clientId, reason: 'scopes removed from the client' });
    await writeAudit(tx, {
      type: 'authority.client.updated',
      outcome: 'success',
      actor,
      tenant: reach.tenant,
      client: clientId,
      properties: { before: heldAssignment(before), after: heldAssignment(after), secretRotated: rotate, client: clientView(after) },
    });
    await auditDisabledChange(tx, before, after, { kind: 'client', actor, tenant: reach.tenant, client: clientId, properties: { client: clientId } });
    return { client: clientView(after), clientSecret };
  });
}

export async function deleteClient(db: Database, clientId: string, actor: string, reach: WriteReach = fleetReach): Promise<void> {
  await db.withTransaction(async (tx) => {
    const found = await tx.query('delete from authority.clients where client_id = $1 returning *', [clientId]);
    if (!found.rows[0]) throw new ContractError('not_found', `client '${clientId}' does not exist`);
    assertOwnedBy(reach, toRecord(found.rows[0]));
    await revokeEverythingIssuedTo(tx, { clientId }, 'client deleted');
    await writeAudit(tx, {
      type: 'authority.client.deleted',
      outcome: 'success',
      actor,
      tenant: reach.tenant,
      client: clientId,
      properties: { before: heldAssignment(toRecord(found.rows[0])), after: null },
    });
  });
}

/** A tenant admin writes only clients its tenant holds alone; a client with no tenant (user-only) belongs to the fleet. */
function assertOwnedBy(reach: WriteReach, c: ClientRecord): void {
  if (reach.tenant === null) return;
  if (assignedTenants(c).length === 0) throw new ContractError('tenant_forbidden', `client '${c.clientId}' is not assigned to tenant '${reach.tenant}': only a fleet operator may change it`);
  assertWithinReach(reach, `client '${c.clientId}'`, c, c.fleetRoles);
}

function displayName(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.length > 200) throw new ContractError('validation_failed', 'displayName must be 1–200 characters');
  return raw.trim();
}

function booleanOr(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ContractError('validation_failed', `${name} must be a boolean`);
  return value;
}
