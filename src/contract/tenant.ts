/** Tenant ids and tenant sets (CONTRACT.md §2). Pure. */

const TENANT_ID = /^[a-z0-9][a-z0-9._:-]{0,127}$/;
const ASCII_WS = /^[ \t\r\n\f\v]+|[ \t\r\n\f\v]+$/g;
const SET_SEPARATORS = /[ \t\r\n,;]+/;

/** Lower-cases ASCII letters only; never Unicode case folding (so `İ` stays malformed). */
function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** Returns the normalized tenant id, or null when the value is malformed. */
export function normalizeTenantId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const normalized = asciiLower(value.replace(ASCII_WS, ''));
  return TENANT_ID.test(normalized) ? normalized : null;
}

export function isNormalizedTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID.test(value);
}

export type TenantSetParse = { ok: true; tenants: string[] } | { ok: false; malformed: string[] };

/**
 * Parses a tenant set written as one string (or an array of strings): splits on space, tab,
 * CR, LF, comma and semicolon; rejects the whole set if any member is malformed; drops
 * duplicates; sorts by byte order.
 */
export function parseTenantSet(input: string | readonly string[] | null | undefined): TenantSetParse {
  if (input === null || input === undefined) return { ok: true, tenants: [] };
  const raw = typeof input === 'string' ? [input] : input;
  const members: string[] = [];
  const malformed: string[] = [];
  for (const part of raw) {
    if (typeof part !== 'string') {
      malformed.push(String(part));
      continue;
    }
    for (const piece of part.split(SET_SEPARATORS)) {
      if (piece === '') continue;
      const id = normalizeTenantId(piece);
      if (id === null) malformed.push(piece);
      else members.push(id);
    }
  }
  if (malformed.length > 0) return { ok: false, malformed };
  return { ok: true, tenants: sortedUnique(members) };
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function formatTenantSet(tenants: Iterable<string>): string {
  return sortedUnique(tenants).join(' ');
}
