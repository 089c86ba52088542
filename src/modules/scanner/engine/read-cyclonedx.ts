/** Extracts the components of a CycloneDX JSON SBOM (nested components flattened). */
import { TenantgateError } from '../../../contract/errors.ts';

export interface SbomComponent {
  name: string;
  version: string | null;
  purl: string | null;
  type: string | null;
  bomRef: string | null;
  group: string | null;
}

export class InvalidSbomError extends TenantgateError {
  constructor(message: string) {
    super('validation_failed', message);
  }
}

/** Upper bound on components per SBOM, so one document cannot occupy a worker indefinitely. */
export const MAX_COMPONENTS = 50_000;

export function readCycloneDx(sbom: unknown): SbomComponent[] {
  if (!isObject(sbom) || sbom.bomFormat !== 'CycloneDX') throw new InvalidSbomError('the SBOM is not a CycloneDX JSON document (bomFormat must be "CycloneDX")');
  if (sbom.components !== undefined && !Array.isArray(sbom.components)) throw new InvalidSbomError('components must be an array');
  const out: SbomComponent[] = [];
  const stack: unknown[] = [...((sbom.components as unknown[] | undefined) ?? [])].reverse();
  while (stack.length > 0) {
    const c = stack.pop();
    if (!isObject(c)) throw new InvalidSbomError('every component must be an object');
    if (typeof c.name !== 'string' || c.name.length === 0) throw new InvalidSbomError('every component needs a name');
    out.push({
      name: c.name,
      version: typeof c.version === 'string' && c.version.length > 0 ? c.version : null,
      purl: typeof c.purl === 'string' && c.purl.length > 0 ? c.purl : null,
      type: typeof c.type === 'string' ? c.type : null,
      bomRef: typeof c['bom-ref'] === 'string' ? c['bom-ref'] : null,
      group: typeof c.group === 'string' && c.group.length > 0 ? c.group : null,
    });
    if (out.length > MAX_COMPONENTS) throw new InvalidSbomError(`the SBOM has more than ${MAX_COMPONENTS} components`);
    if (Array.isArray(c.components)) for (const nested of [...c.components].reverse()) stack.push(nested);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
