/**
 * The tenant decision of GATEWAY.md §2: one pure function from (verified token, requested
 * tenant values, route, flags, client age) to an outcome. No other code makes tenant
 * decisions; the pipeline stages around it only gather inputs and carry out the result.
 */
import type { ErrorCode } from '../contract/errors.ts';
import { strictModeApplies, strictModeNeedsClientAge, type StrictMode } from '../contract/strict-mode.ts';
import { windowNeedsClientAge, windowRefusesAlias, type LegacyWindowFlags } from '../contract/legacy-window.ts';
import type { RequestedTenant } from './classify.ts';
import type { TokenIdentity } from '../identity/types.ts';

export type { TokenIdentity };

export interface GatewayFlags {
  legacyHeaders: boolean;
  strictMode: StrictMode;
  tenantOverride: boolean;
  allowScopeHeader: boolean;
  /** The compatibility window at the request's time (src/contract/legacy-window.ts). */
  legacyWindow: LegacyWindowFlags;
}

export interface DecisionInput {
  /** `conflictCode`: how a tenant conflict is answered on this route (Graph has its own code). */
  route: { access: 'public' | 'protected'; requiredScopes: readonly string[]; conflictCode?: 'tenant_conflict' | 'GRAPH_VALIDATION_FAILED' };
  /** The verified token, or null when none (or an invalid one) was presented. */
  token: TokenIdentity | null;
  requested: readonly RequestedTenant[];
  /** Tenant headers whose value was malformed. */
  invalidTenantHeaders: readonly string[];
  /** Scope-override header values, or null when none was sent. */
  scopeOverride: readonly string[] | null;
  /** Reserved names listed in `Connection`. */
  hopByHop: readonly string[];
  flags: GatewayFlags;
  /** Client created on/after the strict cut-over: true, false, or null when unknown (treated as new). */
  clientIsNew: boolean | null;
}

export type TenantOutcome = 'match' | 'override' | 'mismatch' | 'conflict' | 'missing' | 'forbidden' | 'legacy_rejected' | 'window_closed' | 'invalid';
export type SpoofReason = 'hop_by_hop' | 'conflict' | 'scope_header' | 'mismatch' | 'forbidden_override';

export type Decision =
  | {
      pass: true;
      /** null on public routes (no tenant decision is made). */
      outcome: 'match' | 'override' | null;
      tenant: string | null;
      scopes: readonly string[];
      legacyAliases: readonly string[];
      legacyTid: boolean;
    }
  | {
      pass: false;
      code: ErrorCode;
      detail: string;
      outcome: TenantOutcome | null;
      spoof: SpoofReason | null;
      /** Legacy header aliases seen before the request was refused (still counted as use). */
      legacyAliases: readonly string[];
      legacyTid: boolean;
    };

/** True when the decision depends on the client's creation time (so the shell looks it up). */
export function needsClientAge(flags: GatewayFlags, token: TokenIdentity | null, requested: readonly RequestedTenant[]): boolean {
  if (!token || !(strictModeNeedsClientAge(flags) || windowNeedsClientAge(flags.legacyWindow))) return false;
  return (token.tenant === null && token.legacyTenant !== null) || requested.some((r) => r.source !== 'canonical');
}

/** The alias list of a request that named no legacy alias (most requests). */
const NONE: readonly string[] = Object.freeze([]);

function refuse(code: ErrorCode, detail: string, outcome: TenantOutcome | null, spoof: SpoofReason | null = null, legacyAliases: readonly string[] = [], legacyTid = false): Decision {
  return { pass: false, code, detail, outcome, spoof, legacyAliases, legacyTid };
}

export function decide(input: DecisionInput): Decision {
  const { route, token, requested, flags } = input;

  // Stripping happens on every route; naming a reserved header hop-by-hop is an attack on it.
  if (input.hopByHop.length > 0) {
    return refuse('hop_by_hop_identity_header', `Connection names reserved identity header ${input.hopByHop[0]}`, null, 'hop_by_hop');
  }
  if (route.access === 'public') return { pass: true, outcome: null, tenant: null, scopes: [], legacyAliases: [], legacyTid: false };

  // 1. Protected route without a valid token.
  if (!token) return refuse('unauthorized', 'a valid bearer token is required', null);

  const strict = strictModeApplies(flags, input.clientIsNew);

  // 2. The token's tenant; a legacy `tid` only while compatibility applies to this client.
  let tenant = token.tenant;
  let legacyTid = false;
  if (tenant === null && token.legacyTenant !== null && !strict) {
    tenant = token.legacyTenant;
    legacyTid = true;
  }
  if (tenant === null) return refuse('tenant_missing', 'the access token carries no tenant; there is no default tenant', 'missing');

  if (input.invalidTenantHeaders.length > 0) {
    return refuse('tenant_invalid', `header ${input.invalidTenantHeaders[0]} carries a malformed tenant value`, 'invalid', null, [], legacyTid);
  }

  // 3. Two or more distinct requested values.
  let wanted: string | null = null;
  for (const r of requested) {
    if (wanted === null) wanted = r.value;
    else if (r.value !== wanted) return refuse(route.conflictCode ?? 'tenant_conflict', 'the request carries different tenant values', 'conflict', 'conflict', [], legacyTid);
  }

  // 4. Scope-override headers.
  let scopes = token.scopes;
  if (input.scopeOverride !== null) {
    if (!flags.allowScopeHeader) return refuse('ERR_SCOPE_HEADER_FORBIDDEN', 'scope-override headers are not allowed', null, 'scope_header', [], legacyTid);
    // Permitted scope headers can only narrow the token's scopes, never widen them.
    const narrowed = input.scopeOverride;
    scopes = token.scopes.filter((s) => narrowed.includes(s));
  }

  // 5. Legacy aliases and variant spellings.
  let aliases: string[] | null = null;
  for (const r of requested) if (r.source !== 'canonical' && !(aliases !== null && aliases.includes(r.header))) (aliases ??= []).push(r.header);
  const legacyAliases: readonly string[] = aliases ?? NONE;
  if (legacyAliases.length > 0 && strict) {
    return refuse('legacy_tenant_header_rejected', `legacy tenant header ${legacyAliases[0]} is not accepted for this client`, 'legacy_rejected', null, [], legacyTid);
  }
  // 5b. The compatibility window's end, as the policy's `onWindowEnd` chooses.
  if (legacyAliases.length > 0 && windowRefusesAlias(flags.legacyWindow, input.clientIsNew)) {
    const who = flags.legacyWindow.onWindowEnd === 'reject-all' ? 'any client' : 'this client';
    return refuse('legacy_window_closed', `legacy tenant header ${legacyAliases[0]} is not accepted for ${who}: the compatibility window ended after ${flags.legacyWindow.until}`, 'window_closed', null, [], legacyTid);
  }

  // 6./7. Effective tenant.
  let effective = tenant;
  let outcome: 'match' | 'override' = 'match';
  if (wanted !== null && wanted !== tenant) {
    if (!flags.tenantOverride) return refuse('tenant_mismatch', 'the requested tenant differs from the token tenant', 'mismatch', 'mismatch', legacyAliases, legacyTid);
    if (token.allowedTenants === null || !token.allowedTenants.includes(wanted)) {
      return refuse('tenant_forbidden', 'the requested tenant is outside the token\'s allowed tenants', 'forbidden', 'forbidden_override', legacyAliases, legacyTid);
    }
    effective = wanted;
    outcome = 'override';
  }

  // 8. Route scopes.
  for (const required of route.requiredScopes) {
    if (!scopes.includes(required)) return refuse('insufficient_scope', `the token lacks scope ${required}`, null, null, legacyAliases, legacyTid);
  }
  return { pass: true, outcome, tenant: effective, scopes, legacyAliases, legacyTid };
}
