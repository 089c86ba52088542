/** Advisories grouped by package key, so a scan looks each component up once. */
import type { Advisory } from '../advisories/advisory.ts';
import { packageKey } from './ecosystems.ts';

export type AdvisoryIndex = ReadonlyMap<string, readonly Advisory[]>;

export function buildAdvisoryIndex(advisories: Iterable<Advisory>): AdvisoryIndex {
  const index = new Map<string, Advisory[]>();
  for (const a of advisories) {
    const key = packageKey(a.ecosystem, a.namespace, a.name);
    const list = index.get(key);
    if (list) list.push(a);
    else index.set(key, [a]);
  }
  return index;
}
