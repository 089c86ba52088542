/** Whether a version falls into an advisory's affected ranges, and which fix applies. */
import type { AffectedRange } from '../advisories/advisory.ts';
import { compareVersions } from './compare-versions.ts';
import type { Ecosystem } from './ecosystems.ts';

export type RangeMatch = { affected: false } | { affected: true; fixedVersion: string | null };

export function matchRanges(ecosystem: Ecosystem, version: string, ranges: readonly AffectedRange[]): RangeMatch {
  for (const r of ranges) {
    if (r.introduced !== '0' && compareVersions(ecosystem, version, r.introduced) < 0) continue;
    if (r.fixed !== undefined && compareVersions(ecosystem, version, r.fixed) >= 0) continue;
    if (r.lastAffected !== undefined && compareVersions(ecosystem, version, r.lastAffected) > 0) continue;
    return { affected: true, fixedVersion: r.fixed ?? null };
  }
  return { affected: false };
}
