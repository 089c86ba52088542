/**
 * The tenant id rule of tenantgate's contract (CONTRACT.md §2), copied here so the package
 * stands alone. The assertion must carry the id already normalized: lower-case ASCII, no
 * surrounding whitespace, one id (no set, no delimiter).
 */
const NORMALIZED_TENANT_ID = /^[a-z0-9][a-z0-9._:-]{0,127}$/;

export function isNormalizedTenantId(value: unknown): value is string {
  return typeof value === 'string' && NORMALIZED_TENANT_ID.test(value);
}

/** CONTRACT.md §2's normalization (trim ASCII whitespace, lower-case ASCII letters only), or null when the result is malformed. */
export function normalizeTenantId(value: string): string | null {
  const normalized = value.replace(/^[ \t\r\n\f\v]+|[ \t\r\n\f\v]+$/g, '').replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
  return NORMALIZED_TENANT_ID.test(normalized) ? normalized : null;
}
