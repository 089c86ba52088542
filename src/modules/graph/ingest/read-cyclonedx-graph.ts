/**
 * CycloneDX JSON → graph: one node per component with a valid purl (canonicalized, so the
 * same package from two tools is one node), one edge per `dependencies[].dependsOn` pair whose
 * two ends are such components. Pure; the ingest route writes the result.
 */
import { createHash } from 'node:crypto';
import { PackageURL } from 'packageurl-js';

export interface GraphComponent {
  id: string;
  purl: string;
  type: string;
  name: string;
  group: string;
  version: string;
  description: string;
}

export interface SkippedComponent {
  ref: string | null;
  name: string | null;
  reason: 'no_purl' | 'invalid_purl';
}

export interface CycloneDxGraph {
  serialNumber: string | null;
  /** The SBOM's subject (metadata.component) as a node id, when it has a purl. */
  subject: string | null;
  components: GraphComponent[];
  edges: [from: string, to: string][];
  skipped: SkippedComponent[];
}

/** Node ids derive from the canonical purl: stable across SBOMs and equal across tenants. */
export function nodeIdForPurl(canonicalPurl: string): string {
  return `pkg-${createHash('sha256').update(canonicalPurl).digest('hex').slice(0, 24)}`;
}

export function canonicalPurl(value: string): string | null {
  try {
    return PackageURL.fromString(value.trim()).toString();
  } catch {
    return null;
  }
}

interface RawComponent {
  'bom-ref'?: unknown;
  purl?: unknown;
  name?: unknown;
  group?: unknown;
  version?: unknown;
  description?: unknown;
  components?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function readCycloneDxGraph(bom: Record<string, any>): CycloneDxGraph {
  const byRef = new Map<string, string>();
  const nodes = new Map<string, GraphComponent>();
  const skipped: SkippedComponent[] = [];

  const visit = (raw: RawComponent): string | null => {
    const ref = str(raw['bom-ref']);
    const rawPurl = str(raw.purl);
    if (!rawPurl) {
      skipped.push({ ref, name: str(raw.name), reason: 'no_purl' });
      return null;
    }
    const purl = canonicalPurl(rawPurl);
    if (!purl) {
      skipped.push({ ref, name: str(raw.name), reason: 'invalid_purl' });
      return null;
    }
    const parsed = PackageURL.fromString(purl);
    const id = nodeIdForPurl(purl);
    if (!nodes.has(id)) {
      nodes.set(id, {
        id,
        purl,
        type: parsed.type,
        name: str(raw.name) ?? parsed.name,
        group: str(raw.group) ?? parsed.namespace ?? '',
        version: str(raw.version) ?? parsed.version ?? '',
        description: str(raw.description) ?? '',
      });
    }
    if (ref) byRef.set(ref, id);
    byRef.set(rawPurl, id);
    byRef.set(purl, id);
    return id;
  };
  const walk = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const c of list) {
      if (c === null || typeof c !== 'object') continue;
      visit(c as RawComponent);
      walk((c as RawComponent).components);
    }
  };

  const meta = bom.metadata?.component;
  const subject = meta && typeof meta === 'object' ? visit(meta) : null;
  walk(bom.components);

  const edges = new Map<string, [string, string]>();
  for (const dep of Array.isArray(bom.dependencies) ? bom.dependencies : []) {
    const from = byRef.get(str(dep?.ref) ?? '');
    if (!from || !Array.isArray(dep.dependsOn)) continue;
    for (const target of dep.dependsOn) {
      const to = byRef.get(str(target) ?? '');
      if (to && to !== from) edges.set(`${from}>${to}`, [from, to]);
    }
  }
  return { serialNumber: str(bom.serialNumber), subject, components: [...nodes.values()], edges: [...edges.values()], skipped };
}
