/**
 * The real client address of a request to the Authority. Behind the gateway the TCP peer is
 * always the gateway, so the address the gateway wrote (`Forwarded: for=`) is used — but only
 * when the request carries a gateway identity assertion (CONTRACT.md §8) that verifies for the
 * Authority (`aud: authority`), this method and this target, checked by src/identity exactly as
 * the modules check it. The assertion is signed with a key only the gateway holds and is never
 * shown to clients, so a request that carries a valid one came through the gateway, which
 * always replaces inbound forwarding headers. Any other request is attributed to its TCP peer,
 * whatever forwarding headers it sends.
 */
import type { FastifyRequest } from 'fastify';
import type { ContractProfile } from '../../contract/profile.ts';
import { normalizeAddress, parseForwardedFor } from '../../host/client-address.ts';
import type { IdentityKeySet } from '../../identity/key-set.ts';
import { verifyIdentityAssertion } from '../../identity/verify-assertion.ts';

export type ClientAddressOf = (req: FastifyRequest) => Promise<string>;

export interface GatewayAssertionCheck {
  keys: IdentityKeySet;
  /** The gateway's public URL (`iss`). */
  issuer: string;
  /** The name the gateway's routes give the Authority (`aud`). */
  audience: string;
  maxLifetimeSeconds: number;
}

export function clientAddressResolver(profile: ContractProfile, check: GatewayAssertionCheck, now: () => Date): ClientAddressOf {
  const header = profile.identityHeader.toLowerCase();

  async function viaGateway(req: FastifyRequest): Promise<boolean> {
    const assertion = req.headers[header];
    if (assertion === undefined) return false;
    const result = await verifyIdentityAssertion(assertion, {
      keys: check.keys,
      issuer: check.issuer,
      audience: check.audience,
      method: req.method,
      target: req.url,
      tenantClaim: profile.selectedTenantClaim,
      tenantHeader: req.headers[profile.canonicalTenantHeader.toLowerCase()],
      // Only the origin matters here; the tenant is the routes' business.
      callerComparesTenant: true,
      maxLifetimeSeconds: check.maxLifetimeSeconds,
      now: now(),
    });
    return result.ok;
  }

  async function resolve(req: FastifyRequest): Promise<string> {
    const peer = normalizeAddress(req.socket.remoteAddress) ?? 'unknown';
    const forwarded = req.headers.forwarded;
    if (forwarded === undefined) return peer;
    const claimed = parseForwardedFor(forwarded);
    if (claimed === null) return peer;
    return (await viaGateway(req)) ? claimed : peer;
  }

  // Resolved once per request, however many stages ask (rate limits, then the throttle).
  const resolved = new WeakMap<FastifyRequest, Promise<string>>();
  return (req) => {
    let address = resolved.get(req);
    if (address === undefined) resolved.set(req, (address = resolve(req)));
    return address;
  };
}
