/**
 * Requests as the gateway forwards them to a service, from a local issuer that signs exactly
 * as the gateway does: for the refusals a working gateway never produces (expired, wrong typ,
 * another issuer, a malformed tenant). The end-to-end tests take genuine requests from a
 * running gateway instead (live-gateway.ts); both hand a service the same ForwardedRequest.
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
