/**
 * The reserved identity header catalogue of GATEWAY.md §1, compiled once from the contract
 * profile into lookup tables, so classifying a request is a few map lookups per header.
 *
 * Two names are equivalent when they are equal after ASCII lower-casing and mapping `_` and
 * `.` to `-`; lookups are keyed by that equivalence form.
 */
import type { ContractProfile } from '../contract/profile.ts';

export type ReservedKind = 'canonical' | 'legacy' | 'raw_claim' | 'envelope' | 'consumed';
export type TenantSource = 'canonical' | 'legacy';

export interface ReservedEntry {
  /** The catalogue spelling (bounded label for telemetry). */
  name: string;
  /** `name` lower-cased: an inbound name equal to this is not a variant. */
  lower: string;
  kind: ReservedKind;
  /** Set when the header carries a requested tenant. */
  tenantSource: TenantSource | null;
  /** Scope-override headers (header-auth mode and inbound scope headers). */
  scopeOverride: boolean;
}

export interface HeaderCatalogue {
  /** Entry for an inbound header name (any case/spelling), or null when not reserved. */
  lookup(name: string): ReservedEntry | null;
  entries: ReservedEntry[];
  profile: ContractProfile;
}

/** The equivalence form of a header name: ASCII lower-case, `_` and `.` mapped to `-`. */
export function equivalenceKey(name: string): string {
  let lower = name;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c === 95 || c === 46) {
      lower = name.toLowerCase();
      break;
    }
  }
  return lower.indexOf('_') === -1 && lower.indexOf('.') === -1 ? lower : lower.replace(/[_.]/g, '-');
}

function lastSegment(name: string): string {
  const key = equivalenceKey(name);
  return key.slice(key.lastIndexOf('-') + 1);
}

export function compileHeaderCatalogue(profile: ContractProfile): HeaderCatalogue {
  const table = new Map<string, ReservedEntry>();
  const add = (name: string, kind: ReservedKind, options: { tenantSource?: TenantSource; scopeOverride?: boolean } = {}) => {
    const key = equivalenceKey(name);
    const existing = table.get(key);
    if (existing) {
      // A name listed twice keeps its strongest meaning (a tenant source or scope override wins).
      existing.tenantSource ??= options.tenantSource ?? null;
      existing.scopeOverride ||= options.scopeOverride ?? false;
      return;
    }
    table.set(key, { name, lower: name.toLowerCase(), kind, tenantSource: options.tenantSource ?? null, scopeOverride: options.scopeOverride ?? false });
  };
  const scopesWord = lastSegment(profile.scopesHeader);

  add(profile.canonicalTenantHeader, 'canonical', { tenantSource: 'canonical' });
  for (const h of profile.legacyTenantHeaders) add(h, 'legacy', { tenantSource: 'legacy' });
  add(profile.scopesHeader, 'canonical', { scopeOverride: true });
  for (const h of [profile.projectHeader, profile.actorHeader, profile.clientHeader]) add(h, 'canonical');
  for (const h of profile.legacyIdentityHeaders) add(h, 'legacy', { scopeOverride: lastSegment(h) === scopesWord });
  for (const h of profile.scopeOverrideHeaders) add(h, 'legacy', { scopeOverride: true });
  add(profile.identityHeader, 'envelope');
  for (const h of profile.rawClaimHeaders) add(h, 'raw_claim');
  for (const h of profile.consumedAuthHeaders) add(h, 'consumed');

  const prefixes = profile.reservedPrefixes.map((p) => equivalenceKey(p));
  const prefixEntries = new Map<string, ReservedEntry>(
    prefixes.map((p) => [p, { name: `${p}*`, lower: '', kind: 'canonical', tenantSource: null, scopeOverride: false }]),
  );
  // Inbound names repeat across requests: remember the answer for names seen before (bounded).
  const memo = new Map<string, ReservedEntry | null>();

  const lookup = (name: string): ReservedEntry | null => {
    const remembered = memo.get(name);
    if (remembered !== undefined) return remembered;
    const key = equivalenceKey(name);
    let entry = table.get(key) ?? null;
    if (!entry) {
      for (const p of prefixes) {
        if (key.startsWith(p)) {
          entry = prefixEntries.get(p) ?? null;
          break;
        }
      }
    }
    if (memo.size < 4096) memo.set(name, entry);
    return entry;
  };

  return { lookup, entries: [...table.values()], profile };
}

/**
 * An inbound name is a *variant* when it is equivalent to a reserved name without being the
 * same name (ignoring case, which HTTP ignores too): `X_Tenant_Id`, `x.stellaops.tenant`.
 * Prefix-rule names are variants when they use `_` or `.` where the prefix has `-`.
 */
export function isVariantName(inbound: string, entry: ReservedEntry): boolean {
  // Most requests spell a reserved name as the catalogue does, or all in lower case.
  if (entry.lower !== '' && (inbound === entry.lower || inbound === entry.name)) return false;
  const lower = inbound.toLowerCase();
  if (entry.lower === '') return lower.indexOf('_') !== -1 || lower.indexOf('.') !== -1;
  return lower !== entry.lower;
}
