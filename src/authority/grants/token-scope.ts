/**
 * The scope of an issued token, in two steps:
 * 1. the request: the requested scopes (or all the client's when none are requested) ∩ the
 *    client's scopes — the client's list is a ceiling, what the application may ever ask for;
 * 2. at issuance, once the tenant is selected: ∩ what the holder's roles grant in that tenant
 *    (src/contract/roles.ts) — the user's for user grants, the client's own for
 *    client_credentials. Fleet scopes come only from a fleet role. OpenID scopes are the
 *    client's to grant to its users: roles do not hold them.
 */
import { roleScopes, scopesForRoles, type FleetRole, type RoleTable } from '../../contract/roles.ts';
import { OAuthError } from '../http/oauth-error.ts';
import type { TenantRoles } from '../store/assignment.ts';

export const openIdScopes = ['openid', 'profile', 'offline_access'];

export interface ScopeRequest {
  /** Requested ∩ the client's scopes, in request order. */
  wanted: string[];
  /** The request named scopes: granting none of them is an `invalid_scope` refusal. */
  explicit: boolean;
}

export interface RoleHolder {
  roles: TenantRoles;
  fleetRoles: readonly FleetRole[];
}

export function scopeRequest(requested: string | undefined, clientScopes: readonly string[]): ScopeRequest {
  const client = new Set(clientScopes);
  const asked = requested === undefined ? [...clientScopes] : [...new Set(requested.split(' ').filter(Boolean))];
  const wanted = asked.filter((s) => client.has(s));
  const explicit = requested !== undefined && asked.length > 0;
  if (explicit && wanted.length === 0) throw new OAuthError('invalid_scope', 'none of the requested scopes may be granted to this client');
  return { wanted, explicit };
}

/** What the holder's roles allow in `tenant` (plus OpenID scopes for a user grant). */
export function roleAllowedScopes(holder: RoleHolder, tenant: string, userGrant: boolean, table: RoleTable = roleScopes): Set<string> {
  const allowed = new Set<string>(scopesForRoles(holder.roles[tenant] ?? null, holder.fleetRoles, table));
  if (userGrant) for (const s of openIdScopes) allowed.add(s);
  return allowed;
}

export function tokenScopes(request: ScopeRequest, holder: RoleHolder, tenant: string, userGrant: boolean, table: RoleTable = roleScopes): string[] {
  const allowed = roleAllowedScopes(holder, tenant, userGrant, table);
  const granted = request.wanted.filter((s) => allowed.has(s));
  if (request.explicit && granted.length === 0) {
    throw new OAuthError('invalid_scope', `none of the requested scopes may be granted to this caller in tenant '${tenant}'`);
  }
  return granted;
}
