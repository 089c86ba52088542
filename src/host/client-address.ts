/**
 * The real client address of a request, and the forwarding headers that carry it.
 *
 * The gateway is the one place that decides it: it takes the TCP peer, and honours an inbound
 * `X-Forwarded-For` only when that peer is one of `server.trustedProxies` (walking the chain
 * from the right past further trusted proxies). It drops every inbound `X-Forwarded-For`,
 * `Forwarded` and `X-Real-IP` and writes its own: `X-Forwarded-For` with the chain it trusts
 * ending in its peer, and `Forwarded: for=<client>` (RFC 7239) naming the address it settled on.
 * Components read `Forwarded` only from a request that carries a verified gateway identity
 * assertion (X-StellaOps-Identity, CONTRACT.md §8).
 */
import { BlockList, isIP } from 'node:net';

/** The headers the gateway owns: inbound values never reach an upstream as sent. */
export const FORWARDING_HEADERS: ReadonlySet<string> = new Set(['x-forwarded-for', 'forwarded', 'x-real-ip']);

/** `::ffff:10.0.0.1` → `10.0.0.1`; brackets and a port, as some proxies write them, removed. */
export function normalizeAddress(raw: string | undefined): string | null {
  if (!raw) return null;
  let a = raw.trim();
  if (a.startsWith('"') && a.endsWith('"')) a = a.slice(1, -1);
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1] as string;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  if (a.toLowerCase().startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
  return isIP(a) === 0 ? null : a.toLowerCase();
}

export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly known = new Map<string, boolean>();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
    this.empty = entries.length === 0;
  }

  has(address: string | null): boolean {
    if (address === null || this.empty) return false;
    let trusted = this.known.get(address);
    if (trusted === undefined) {
      trusted = this.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
      if (this.known.size >= 1024) this.known.clear();
      this.known.set(address, trusted);
    }
    return trusted;
  }
}

export interface ClientAddress {
  /** The address the request is attributed to. */
  client: string;
  /** The `X-Forwarded-For` to send on: the trusted part of the inbound chain, then the peer. */
  chain: string;
}

/**
 * Resolves the client from the peer and the inbound `X-Forwarded-For` values (used only when
 * the peer is a trusted proxy). An entry that is not an address ends the walk: what lies left
 * of it cannot be trusted either.
 */
export function resolveClientAddress(peerAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): ClientAddress {
  const peer = normalizeAddress(peerAddress) ?? 'unknown';
  if (forwardedFor === undefined || !trusted.has(peer)) return { client: peer, chain: peer };
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  const kept: string[] = [peer];
  let client = peer;
  for (let i = entries.length - 1; i >= 0 && trusted.has(client); i--) {
    const address = normalizeAddress(entries[i]);
    if (address === null) break;
    kept.unshift(address);
    client = address;
  }
  return { client, chain: kept.join(', ') };
}

/** `Forwarded: for=…` for one address (RFC 7239 §6: IPv6 quoted and bracketed). */
export function forwardedFor(address: string): string {
  return isIP(address) === 6 ? `for="[${address}]"` : `for=${address}`;
}

/** The `for=` address of the first element of a `Forwarded` header the gateway wrote. */
export function parseForwardedFor(header: string | string[] | undefined): string | null {
  if (header === undefined || Array.isArray(header)) return null;
  const m = /(?:^|[;,\s])for=("[^"]*"|[^;,\s]+)/i.exec(header);
  return m ? normalizeAddress(m[1]) : null;
}
