/** Tokens as the console holds them: in memory only, never in any storage. */

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch milliseconds. */
  expiresAt: number;
  scopes: string[];
  /** The selected tenant claim read from the access token (display and sanity checks only). */
  tenant: string | null;
}

export class OAuthError extends Error {
  readonly error: string;
  readonly code: string | null;
  readonly status: number;
  constructor(error: string, description: string, code: string | null, status: number) {
    super(description || error);
    this.name = 'OAuthError';
    this.error = error;
    this.code = code;
    this.status = status;
  }
}

/** Reads a JWT payload without verifying it: the gateway verifies; the console only displays. */
export function readClaims(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (!part) return {};
  try {
    const padded = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const text = new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(text);
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
