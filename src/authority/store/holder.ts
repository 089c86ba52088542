/**
 * What clients and users share as holders of a tenant assignment and of tokens: the
 * assignment an audit event records, the revocations an update calls for, and the disabled
 * state (docs/authority.md, "Disabling a client or a user").
 */
import type { FleetRole } from '../../contract/roles.ts';
import type { Queryable } from '../../db/database.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import { recordRevocation, revokeEverythingIssuedTo, type TokenHolder } from '../tokens/revocations.ts';
import { fleetRolesLowered, loweredTenantRoles, removedTenants, type Assignment, type TenantRoles } from './assignment.ts';

export interface HeldAssignment extends Assignment {
  roles: TenantRoles;
  fleetRoles: FleetRole[];
}

export interface DisabledState {
  disabled: boolean;
  disabledAt: string | null;
}

type Holder = HeldAssignment & DisabledState;

/** What an audit event records of a record's assignment, before or after a change. */
export function heldAssignment(r: HeldAssignment | null): HeldAssignment | null {
  return r ? { tenant: r.tenant, tenants: r.tenants, roles: r.roles, fleetRoles: r.fleetRoles } : null;
}

/** The disabled state of an authority.clients or authority.users row. */
export function disabledStateOf(row: { disabled_at?: Date | string | null }): DisabledState {
  return { disabled: row.disabled_at != null, disabledAt: row.disabled_at ? new Date(row.disabled_at).toISOString() : null };
}

/** The SQL assignment of disabled_at from the boolean parameter `param`: kept while it stays disabled, cleared on enabling. */
export function setDisabledAt(param: string): string {
  return `disabled_at = case when ${param} then coalesce(disabled_at, now()) end`;
}

const revocationOf = (holder: TokenHolder) => ('clientId' in holder ? { clientId: holder.clientId } : { subject: holder.userId });

/**
 * The revocations an update calls for, so the tokens it affects stop working at every
 * gateway: all of them when the holder was just disabled (or lost a fleet role), those for
 * a tenant taken away or whose role was lowered. Enabling again revokes nothing and revives nothing.
 */
export async function revokeWhatTheUpdateTookAway(tx: Queryable, holder: TokenHolder, before: Holder, after: Holder): Promise<void> {
  const kind = 'clientId' in holder ? 'client' : 'user';
  const who = revocationOf(holder);
  if (!before.disabled && after.disabled) await revokeEverythingIssuedTo(tx, holder, `${kind} disabled`);
  for (const tenant of removedTenants(before, after)) await recordRevocation(tx, { ...who, tenant, reason: `tenant removed from the ${kind}` });
  // A lowered role: its tokens for that tenant may carry scopes the role no longer grants.
  for (const tenant of loweredTenantRoles(before.roles, after.roles)) await recordRevocation(tx, { ...who, tenant, reason: 'role lowered' });
  if (fleetRolesLowered(before.fleetRoles, after.fleetRoles)) await recordRevocation(tx, { ...who, reason: 'fleet role removed' });
}

/** Audits a change of the disabled state (`authority.client.disabled`, `authority.user.enabled`, …); nothing when it did not change. */
export async function auditDisabledChange(
  tx: Queryable,
  before: DisabledState,
  after: DisabledState,
  event: { kind: 'client' | 'user'; actor: string; tenant: string | null; client?: string; properties: Record<string, unknown> },
): Promise<void> {
  if (before.disabled === after.disabled) return;
  await writeAudit(tx, {
    type: `authority.${event.kind}.${after.disabled ? 'disabled' : 'enabled'}`,
    outcome: 'success',
    actor: event.actor,
    tenant: event.tenant,
    ...(event.client === undefined ? {} : { client: event.client }),
    properties: { ...event.properties, disabledAt: after.disabledAt, tokensRevoked: after.disabled },
  });
}
