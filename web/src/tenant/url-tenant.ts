/**
 * What the `?tenant=` of the address bar asks for, given the committed tenant and the
 * tenants the user holds. Pure: the layout acts on the answer.
 */
import { normalizeTenantId } from '../../../src/contract/tenant.ts';

export const TENANT_QUERY_PARAM = 'tenant';

export type UrlTenantDecision =
  | { action: 'keep' }
  /** No tenant in the address: write the committed one so reload and links keep it. */
  | { action: 'fill'; tenant: string }
  | { action: 'switch'; tenant: string }
  /** The link names a tenant this user does not hold (or no valid tenant at all). */
  | { action: 'refuse'; requested: string; reason: 'not_assigned' | 'malformed' };

export function decideUrlTenant(raw: string | null, committed: string, assigned: readonly string[]): UrlTenantDecision {
  if (raw === null || raw === '') return { action: 'fill', tenant: committed };
  const requested = normalizeTenantId(raw);
  if (requested === null) return { action: 'refuse', requested: raw, reason: 'malformed' };
  if (requested === committed) return raw === committed ? { action: 'keep' } : { action: 'fill', tenant: committed };
  if (!assigned.includes(requested)) return { action: 'refuse', requested, reason: 'not_assigned' };
  return { action: 'switch', tenant: requested };
}

/** The same search string with the tenant parameter set (other parameters kept). */
export function withTenantParam(search: string, tenant: string): string {
  const params = new URLSearchParams(search);
  params.set(TENANT_QUERY_PARAM, tenant);
  return `?${params.toString()}`;
}
