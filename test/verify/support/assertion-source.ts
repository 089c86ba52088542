/**
 * Where the SDK's end-to-end tests (npm pack, Python recipe) get a request's identity from.
 * Today: the local issuer, which signs as the gateway does. Once the gateway signs identity
 * assertions, a second source sends the request through a running gateway to a capturing
 * upstream and returns what the gateway forwarded; the tests take either, unchanged.
 */
import { startLocalIssuer, type AssertionInput, type LocalIssuer } from './local-issuer.ts';

export interface ForwardedRequest {
  method: string;
  /** Path and query as the service receives them. */
  url: string;
  headers: Record<string, string>;
}

export interface AssertionSource {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** A request as the gateway forwards it to the service named `audience`. */
  forward(method: string, target: string, tweak?: Omit<AssertionInput, 'method' | 'target'>): Promise<ForwardedRequest>;
  close(): Promise<void>;
  /** The local issuer, for cases only it can make (forged, expired, other audience). */
  local?: LocalIssuer;
}

export async function localAssertionSource(audience = 'inventory'): Promise<AssertionSource> {
  const local = await startLocalIssuer({ audience });
  return {
    jwksUrl: local.jwksUrl,
    issuer: local.issuer,
    audience,
    local,
    async forward(method, target, tweak = {}) {
      return { method, url: target, headers: await local.headers({ method, target, ...tweak }) };
    },
    close: () => local.close(),
  };
}
