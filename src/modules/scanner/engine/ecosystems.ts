/** The package ecosystems (purl types) the scanner can identify and match advisories for. */
export const supportedEcosystems = ['npm', 'pypi', 'maven', 'golang', 'deb'] as const;
export type Ecosystem = (typeof supportedEcosystems)[number];

export function isSupportedEcosystem(type: string): type is Ecosystem {
  return (supportedEcosystems as readonly string[]).includes(type);
}

/**
 * The key a package is matched under: purl type, namespace and name, with the ecosystem's
 * own case and separator rules (PEP 503 for PyPI; npm, Go and Debian names are lower-case;
 * Maven coordinates are case-sensitive).
 */
export function packageKey(ecosystem: Ecosystem, namespace: string | undefined | null, name: string): string {
  let ns = namespace ?? '';
  let n = name;
  if (ecosystem === 'pypi') n = n.toLowerCase().replace(/[-_.]+/g, '-');
  else if (ecosystem !== 'maven') {
    ns = ns.toLowerCase();
    n = n.toLowerCase();
  }
  return `${ecosystem}/${ns}/${n}`;
}
