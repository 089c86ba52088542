/**
 * The scan itself, pure: components in, findings and unknowns out. A component is matched
 * when its purl parses, its ecosystem is supported and its version is valid there; every
 * other component becomes an unknown carrying the reason as evidence.
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../advisories/advisory.ts';
import type { AdvisoryIndex } from './advisory-index.ts';
import { matchRanges } from './affected-range.ts';
import { isValidVersion } from './compare-versions.ts';
import { isSupportedEcosystem, packageKey, supportedEcosystems } from './ecosystems.ts';
import { parsePurl } from './parse-purl.ts';
import type { SbomComponent } from './read-cyclonedx.ts';

export interface FindingDraft {
  advisoryId: string;
  aliases: string[];
  severity: Severity;
  summary: string;
  packageName: string;
  packageVersion: string;
  purl: string;
  fixedVersion: string | null;
}

export type UnknownReason = 'missing_purl' | 'invalid_purl' | 'unsupported_ecosystem' | 'missing_version' | 'unparseable_version';

export interface UnknownDraft {
  /** Stable identity of this unknown within a tenant: the same component seen again is the same unknown. */
  identityKey: string;
  name: string;
  version: string | null;
  purl: string | null;
  reason: UnknownReason;
  detail: string;
  evidence: UnknownEvidence;
}

export interface UnknownEvidence {
  component: { name: string; version: string | null; purl: string | null; type: string | null; bomRef: string | null; group: string | null };
  reason: UnknownReason;
  detail: string;
}

export interface ComponentAnalysis {
  componentCount: number;
  findings: FindingDraft[];
  unknowns: UnknownDraft[];
}

const severityRank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function analyzeComponents(components: readonly SbomComponent[], index: AdvisoryIndex): ComponentAnalysis {
  const findings = new Map<string, FindingDraft>();
  const unknowns = new Map<string, UnknownDraft>();
  const unknown = (c: SbomComponent, reason: UnknownReason, detail: string) => {
    // Hashed: component names are unbounded, the unique index over the key is not.
    const identityKey = createHash('sha256').update(JSON.stringify([reason, c.name, c.version, c.purl])).digest('hex');
    if (unknowns.has(identityKey)) return;
    const component = { name: c.name, version: c.version, purl: c.purl, type: c.type, bomRef: c.bomRef, group: c.group };
    unknowns.set(identityKey, { identityKey, name: c.name, version: c.version, purl: c.purl, reason, detail, evidence: { component, reason, detail } });
  };

  for (const c of components) {
    if (!c.purl) {
      unknown(c, 'missing_purl', 'the component has no package URL, so its ecosystem and identity cannot be determined');
      continue;
    }
    const parsed = parsePurl(c.purl);
    if (!parsed.ok) {
      unknown(c, 'invalid_purl', `the package URL does not parse: ${parsed.error}`);
      continue;
    }
    const { type, namespace, name } = parsed.purl;
    if (!isSupportedEcosystem(type)) {
      unknown(c, 'unsupported_ecosystem', `ecosystem "${type}" is not one the scanner knows (${supportedEcosystems.join(', ')})`);
      continue;
    }
    const version = parsed.purl.version ?? c.version;
    if (!version) {
      unknown(c, 'missing_version', 'neither the package URL nor the component states a version');
      continue;
    }
    if (!isValidVersion(type, version)) {
      unknown(c, 'unparseable_version', `"${version}" is not a valid ${type} version`);
      continue;
    }
    for (const advisory of index.get(packageKey(type, namespace, name)) ?? []) {
      const match = matchRanges(type, version, advisory.ranges);
      if (!match.affected) continue;
      const key = `${advisory.id}\u0000${c.purl}`;
      if (findings.has(key)) continue;
      findings.set(key, {
        advisoryId: advisory.id,
        aliases: advisory.aliases,
        severity: advisory.severity,
        summary: advisory.summary,
        packageName: namespace ? `${namespace}/${name}` : name,
        packageVersion: version,
        purl: c.purl,
        fixedVersion: match.fixedVersion,
      });
    }
  }
  const ordered = [...findings.values()].sort(
    (a, b) => severityRank[a.severity] - severityRank[b.severity] || a.packageName.localeCompare(b.packageName) || a.advisoryId.localeCompare(b.advisoryId),
  );
  return { componentCount: components.length, findings: ordered, unknowns: [...unknowns.values()] };
}
