/**
 * Header name equivalence of GATEWAY.md §1 (ASCII lower-case, `_` and `.` read as `-`):
 * the client recognises a legacy alias however code spells it.
 */
export function equivalentHeaderName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/[_.]/g, '-');
}

export interface HeaderPartition {
  kept: Record<string, string>;
  /** Canonical spelling (from the profile) of each legacy alias code tried to set. */
  legacyAliases: string[];
}

/** Separates headers code may set from identity headers only the client writes. */
export function partitionHeaders(headers: Record<string, string>, legacyAliases: readonly string[], ownedHeaders: readonly string[]): HeaderPartition {
  const legacy = new Map(legacyAliases.map((alias) => [equivalentHeaderName(alias), alias]));
  const owned = new Set(ownedHeaders.map(equivalentHeaderName));
  const kept: Record<string, string> = {};
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const key = equivalentHeaderName(name);
    const alias = legacy.get(key);
    if (alias !== undefined) {
      if (!found.includes(alias)) found.push(alias);
    } else if (!owned.has(key)) {
      kept[name] = value;
    }
  }
  return { kept, legacyAliases: found };
}
