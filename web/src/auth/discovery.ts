/** The Authority's OpenID discovery document, fetched once through the gateway origin. */

export interface Discovery {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint: string | null;
}

let cached: Promise<Discovery> | null = null;

export function loadDiscovery(): Promise<Discovery> {
  cached ??= fetchDiscovery().catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}

async function fetchDiscovery(): Promise<Discovery> {
  const response = await fetch('/.well-known/openid-configuration', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`discovery failed with HTTP ${response.status}`);
  const doc = (await response.json()) as Record<string, unknown>;
  const endpoint = (name: string): string | null => (typeof doc[name] === 'string' ? sameOrigin(doc[name] as string) : null);
  const authorizationEndpoint = endpoint('authorization_endpoint');
  const tokenEndpoint = endpoint('token_endpoint');
  if (!authorizationEndpoint || !tokenEndpoint) throw new Error('discovery document lacks the authorization or token endpoint');
  return { authorizationEndpoint, tokenEndpoint, revocationEndpoint: endpoint('revocation_endpoint') };
}

/**
 * The issuer may be configured with another host name than the one the browser used (e.g.
 * localhost vs 127.0.0.1); the console always talks to its own origin, the gateway.
 */
function sameOrigin(url: string): string {
  const parsed = new URL(url, window.location.origin);
  return `${window.location.origin}${parsed.pathname}${parsed.search}`;
}
