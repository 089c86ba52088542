/**
 * Stage 1 of the pipeline: classify the inbound headers from the raw header list (Node's
 * `rawHeaders`), so repeated headers and their original spellings are all seen — a parsed
 * header object would already have joined repeats and lower-cased names. Pure.
 */
import { parseTenantSet } from '../contract/tenant.ts';
import { isVariantName, type HeaderCatalogue, type ReservedKind } from './header-catalogue.ts';

export type RequestedSource = 'canonical' | 'legacy' | 'variant';

export interface RequestedTenant {
  /** Normalized tenant id. */
  value: string;
  source: RequestedSource;
  /** Catalogue name of the header it came from (bounded; used as the telemetry alias). */
  header: string;
}

export interface StrippedHeader {
  /** Catalogue name (or `<prefix>*` for the prefix rule). */
  header: string;
  kind: Exclude<ReservedKind, 'consumed'> | 'variant';
}

export interface Classification {
  requested: readonly RequestedTenant[];
  /** Catalogue names of tenant headers whose value was malformed. */
  invalidTenantHeaders: readonly string[];
  /** Reserved names listed in `Connection`. */
  hopByHop: readonly string[];
  /** Scope-override headers present, with their (space/comma separated) values. */
  scopeOverride: readonly string[] | null;
  stripped: readonly StrippedHeader[];
  /** Values of `Authorization` headers (more than one = ambiguous credentials). */
  authorization: readonly string[];
  forgedEnvelope: boolean;
}

/** Shared by every classification that found nothing of a kind (most requests find nothing). */
const NONE: readonly never[] = Object.freeze([]);

const LIST_SEPARATOR = /[\s,]+/;
const CONNECTION_TOKEN = /\s*,\s*/;

export function classifyHeaders(rawHeaders: readonly string[], catalogue: HeaderCatalogue): Classification {
  // Lists are created on first use: a typical request needs only `authorization`.
  let requested: RequestedTenant[] | null = null;
  let invalidTenantHeaders: string[] | null = null;
  let hopByHop: string[] | null = null;
  let scopeOverride: string[] | null = null;
  let stripped: StrippedHeader[] | null = null;
  let authorization: string[] | null = null;
  let forgedEnvelope = false;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const value = rawHeaders[i + 1];
    if (name.length === 10 && name.toLowerCase() === 'connection') {
      for (const token of value.split(CONNECTION_TOKEN)) {
        if (token !== '' && catalogue.lookup(token.trim()) !== null) (hopByHop ??= []).push(token.trim());
      }
      continue;
    }
    const entry = catalogue.lookup(name);
    if (entry === null) continue;
    const variant = isVariantName(name, entry);
    if (entry.kind === 'consumed') {
      // Only the exact standard name carries a bearer token; a variant spelling never authenticates.
      if (!variant && entry.lower === 'authorization') (authorization ??= []).push(value);
      if (variant) (stripped ??= []).push({ header: entry.name, kind: 'variant' });
      continue;
    }
    (stripped ??= []).push({ header: entry.name, kind: variant ? 'variant' : entry.kind });
    if (entry.kind === 'envelope') forgedEnvelope = true;
    if (entry.scopeOverride) {
      scopeOverride ??= [];
      for (const s of value.split(LIST_SEPARATOR)) if (s !== '') scopeOverride.push(s);
    }
    if (entry.tenantSource !== null) {
      const tenants = tenantHeaderValue(value);
      if (tenants === null) {
        (invalidTenantHeaders ??= []).push(entry.name);
        continue;
      }
      const source: RequestedSource = variant ? 'variant' : entry.tenantSource;
      for (const tenant of tenants) (requested ??= []).push({ value: tenant, source, header: entry.name });
    }
  }
  return {
    requested: requested ?? NONE,
    invalidTenantHeaders: invalidTenantHeaders ?? NONE,
    hopByHop: hopByHop ?? NONE,
    scopeOverride,
    stripped: stripped ?? NONE,
    authorization: authorization ?? NONE,
    forgedEnvelope,
  };
}

/** Tenant header values seen lately and what they parse to (a client sends the same few). */
const parsedValues = new Map<string, readonly string[] | null>();
const PARSED_VALUES_MAX = 1024;

/** The tenants a tenant header's value names, or null when it is empty or malformed. Pure (memoized). */
function tenantHeaderValue(value: string): readonly string[] | null {
  const known = parsedValues.get(value);
  if (known !== undefined) return known;
  const parsed = value.trim() === '' || hasForbiddenBytes(value) ? null : parseTenantSet(value);
  const tenants = parsed === null || !parsed.ok || parsed.tenants.length === 0 ? null : Object.freeze(parsed.tenants);
  if (parsedValues.size >= PARSED_VALUES_MAX) parsedValues.clear();
  parsedValues.set(value, tenants);
  return tenants;
}

/** Control characters (other than the separators the set syntax allows), NUL, DEL and non-ASCII. */
function hasForbiddenBytes(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7e || (c < 0x20 && c !== 0x09)) return true;
  }
  return false;
}
