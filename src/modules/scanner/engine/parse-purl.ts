/** Package URLs through packageurl-js, reduced to what matching needs. */
import { PackageURL } from 'packageurl-js';

export interface ParsedPurl {
  type: string;
  namespace: string;
  name: string;
  version: string | null;
}

export type PurlParse = { ok: true; purl: ParsedPurl } | { ok: false; error: string };

export function parsePurl(value: string): PurlParse {
  try {
    const p = PackageURL.fromString(value);
    return { ok: true, purl: { type: p.type, namespace: p.namespace ?? '', name: p.name, version: p.version ?? null } };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
