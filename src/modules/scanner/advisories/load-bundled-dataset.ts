/** Reads and validates the advisory dataset bundled with the scanner (advisories/dataset.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { compareVersions, isValidVersion } from '../engine/compare-versions.ts';
import { supportedEcosystems } from '../engine/ecosystems.ts';
import type { Advisory } from './advisory.ts';

export const bundledDatasetPath = join(import.meta.dirname, 'dataset.json');

const rangeSchema = z
  .object({ introduced: z.string().min(1), fixed: z.string().min(1).optional(), lastAffected: z.string().min(1).optional() })
  .refine((r) => !(r.fixed && r.lastAffected), 'a range has either fixed or lastAffected, not both');

const datasetSchema = z.object({
  version: z.literal(1),
  advisories: z.array(
    z.object({
      id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{2,63}$/),
      aliases: z.array(z.string()).default([]),
      package: z.object({ ecosystem: z.enum(supportedEcosystems), namespace: z.string().default(''), name: z.string().min(1) }),
      severity: z.enum(['critical', 'high', 'medium', 'low']),
      summary: z.string().min(1),
      published: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      ranges: z.array(rangeSchema).min(1),
    }),
  ),
});

/** Parses a dataset document; every range bound must be a valid version of its ecosystem. */
export function parseAdvisoryDataset(document: unknown): Advisory[] {
  const parsed = datasetSchema.parse(document);
  const seen = new Set<string>();
  return parsed.advisories.map((a) => {
    if (seen.has(a.id)) throw new Error(`advisory ${a.id} appears twice in the dataset`);
    seen.add(a.id);
    for (const r of a.ranges) {
      for (const bound of [r.introduced === '0' ? undefined : r.introduced, r.fixed, r.lastAffected]) {
        if (bound !== undefined && !isValidVersion(a.package.ecosystem, bound)) {
          throw new Error(`advisory ${a.id}: ${JSON.stringify(bound)} is not a valid ${a.package.ecosystem} version`);
        }
      }
      const upper = r.fixed ?? r.lastAffected;
      if (r.introduced !== '0' && upper && compareVersions(a.package.ecosystem, r.introduced, upper) > 0) {
        throw new Error(`advisory ${a.id}: range starts after it ends (${r.introduced} > ${upper})`);
      }
    }
    return {
      id: a.id,
      aliases: a.aliases,
      ecosystem: a.package.ecosystem,
      namespace: a.package.namespace,
      name: a.package.name,
      severity: a.severity,
      summary: a.summary,
      published: a.published,
      ranges: a.ranges,
    };
  });
}

export function loadBundledAdvisories(path = bundledDatasetPath): Advisory[] {
  return parseAdvisoryDataset(JSON.parse(readFileSync(path, 'utf8')));
}
