/**
 * The real client address of a request to the Authority. Behind the gateway the TCP peer is
 * always the gateway, so the address the gateway wrote (`Forwarded: for=`) is used — but only
 * when the request carries a gateway identity envelope that verifies for this method and
 * target: the envelope is signed with a key only the gateway holds and is never shown to
 * clients, so a request that carries a valid one came through the gateway, which always
 * replaces inbound forwarding headers. Any other request is attributed to its TCP peer,
 * whatever forwarding headers it sends.
 */
import type { FastifyRequest } from 'fastify';
import type { ContractProfile } from '../../contract/profile.ts';
import { normalizeAddress, parseForwardedFor } from '../../host/client-address.ts';
import { verifyEnvelope, type EnvelopeKeyLookup } from '../../identity/envelope.ts';

/** Verified envelopes: the gateway reuses an envelope within its second. */
const MAX_REMEMBERED = 1_000;

export type ClientAddressOf = (req: FastifyRequest) => Promise<string>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

export function clientAddressResolver(profile: ContractProfile, lookup: EnvelopeKeyLookup, now: () => Date): ClientAddressOf {
  const verified = new Map<string, { method: string; path: string; exp: number }>();
  const names = [profile.envelopeHeader, profile.envelopeSignatureHeader, profile.envelopeAlgorithmHeader].map((h) => h.toLowerCase()) as [string, string, string];

  async function viaGateway(req: FastifyRequest): Promise<boolean> {
    const envelope = single(req.headers[names[0]]);
    const signature = single(req.headers[names[1]]);
    const algorithm = single(req.headers[names[2]]);
    if (!envelope || !signature || !algorithm) return false;
    const t = now().getTime() / 1000;
    const remembered = envelope + '.' + signature;
    const seen = verified.get(remembered);
    if (seen !== undefined && seen.exp >= t && seen.method === req.method.toUpperCase() && seen.path === req.url) return true;
    const result = await verifyEnvelope({ envelope, signature, algorithm, method: req.method, path: req.url }, lookup, now());
    if (!result.ok) return false;
    if (verified.size >= MAX_REMEMBERED) verified.clear();
    verified.set(remembered, { method: result.claims.method, path: result.claims.path, exp: result.claims.exp });
    return true;
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
