/**
 * The tenant resolution rule of MODULES.md "Shared tenant resolver", pure: header values in,
 * one tenant (or none) or a contract error code out. The plugin adds envelope checks and I/O.
 */
import type { ContractProfile } from '../../contract/profile.ts';
import { normalizeTenantId } from '../../contract/tenant.ts';

export type HeaderBag = Record<string, string | string[] | undefined>;

export type TenantResolution =
  | { ok: true; tenant: string | null; aliasesRead: string[] }
  | { ok: false; reason: 'conflict' | 'invalid'; detail: string };

/** Values of one header: repeats and comma-joined values count as separate values. */
function headerValues(headers: HeaderBag, name: string): string[] {
  const raw = headers[name.toLowerCase()];
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * Canonical header first; legacy aliases only when `acceptLegacy`. Aliases are always checked
 * for conflicts, but reported in `aliasesRead` (to be counted as legacy use) only when the
 * tenant had to be taken from them: an alias the gateway writes beside the canonical header
 * while `<module>.emitLegacyHeaders` is on is not a caller depending on it. Any two different
 * values → conflict; any malformed value → invalid. No value anywhere → tenant null.
 */
export function resolveTenantFromHeaders(headers: HeaderBag, profile: ContractProfile, acceptLegacy: boolean): TenantResolution {
  const sources: { header: string; legacy: boolean }[] = [
    { header: profile.canonicalTenantHeader, legacy: false },
    ...(acceptLegacy ? profile.legacyTenantHeaders.map((header) => ({ header, legacy: true })) : []),
  ];
  const seen = new Set<string>();
  const aliasesRead: string[] = [];
  let canonicalPresent = false;
  for (const source of sources) {
    const values = headerValues(headers, source.header);
    if (values.length === 0) continue;
    if (source.legacy) aliasesRead.push(source.header);
    else canonicalPresent = true;
    for (const value of values) {
      const tenant = normalizeTenantId(value);
      if (tenant === null) return { ok: false, reason: 'invalid', detail: `header ${source.header} carries a malformed tenant id` };
      seen.add(tenant);
    }
  }
  if (seen.size > 1) {
    return { ok: false, reason: 'conflict', detail: `the request carries ${seen.size} different tenant values across its tenant headers` };
  }
  const [tenant] = seen;
  return { ok: true, tenant: tenant ?? null, aliasesRead: canonicalPresent ? [] : aliasesRead };
}

