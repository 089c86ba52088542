/**
 * Stage 4 of the pipeline: the headers the upstream receives. Every reserved header (in any
 * spelling) and every hop-by-hop header is dropped; the gateway then writes the identity
 * headers of GATEWAY.md §2 itself, plus the identity assertion (CONTRACT.md §8), signed
 * for this request.
 *
 * Identities are interned: one object per (actor, client, effective tenant, scopes), so the
 * identity headers and the identity part of the assertion are derived once per identity.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { TokenIdentity } from './decide.ts';
import type { IdentityAssertionSigner } from '../identity/sign-assertion.ts';
import type { DownstreamIdentity as SharedDownstreamIdentity } from '../identity/types.ts';
import type { HeaderCatalogue } from './header-catalogue.ts';
import { FORWARDING_HEADERS, forwardedFor, resolveClientAddress, TrustedProxies } from '../host/client-address.ts';

/** The W3C trace-context headers: with tracing on, the upstream gets the gateway's own. */
const TRACE_CONTEXT = new Set(['traceparent', 'tracestate']);

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) the proxy must not forward, and `Expect`: the
 * gateway's server has already answered 100 Continue and reads the body itself.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate', 'expect']);

export const ANONYMOUS_ACTOR = 'anonymous';

/** Who the upstream is told made the request. */
export type DownstreamIdentity = Readonly<SharedDownstreamIdentity>;

export interface RewriteInput {
  headers: IncomingHttpHeaders;
  identity: DownstreamIdentity;
  /** Also write the legacy tenant headers (the module's `emitLegacyHeaders`). */
  emitLegacy: boolean;
  forwardAuthorization: boolean;
  method: string;
  /** Request target as the upstream receives it (path + query). */
  target: string;
  /** The service the route targets: the assertion's `aud`. */
  audience: string;
  /** The TCP peer's address (the client, or a proxy in front of the gateway). */
  peerAddress?: string | undefined;
  /** The `Host` the upstream receives in place of the client's (the route's origin). */
  host?: string;
}

type HeaderPairs = readonly (readonly [string, string])[];

/** Identities remembered per token: a handful of (tenant, scopes) combinations at most. */
const MAX_IDENTITIES_PER_TOKEN = 8;
/** Peer addresses whose forwarding values are kept. */
const MAX_PEERS = 4096;
/** Distinct identities interned by content. */
const MAX_IDENTITIES = 10_000;

export class Rewriter {
  /** Public routes: no tenant, no client, no scopes. */
  readonly anonymous: DownstreamIdentity = Object.freeze({ tenant: null, actor: ANONYMOUS_ACTOR, client: null, scopes: Object.freeze([]) as readonly string[] });
  private readonly byToken = new WeakMap<TokenIdentity, DownstreamIdentity[]>();
  private readonly byContent = new Map<string, DownstreamIdentity>();
  private readonly pairs = new WeakMap<DownstreamIdentity, { plain: HeaderPairs; withLegacy: HeaderPairs }>();
  private readonly byPeer = new Map<string, readonly [string, string]>();
  private readonly dropTraceContext: boolean;
  private readonly trustedProxies: TrustedProxies;

  /**
   * `dropTraceContext`: tracing is on, so the upstream call carries the gateway's client span
   * as its parent (injected by the tracing instrumentation) and the client's own trace-context
   * headers must not travel alongside it. With tracing off they pass through untouched.
   */
  constructor(
    private readonly catalogue: HeaderCatalogue,
    private readonly signer: IdentityAssertionSigner,
    options: { dropTraceContext?: boolean; trustedProxies?: readonly string[] } = {},
  ) {
    this.dropTraceContext = options.dropTraceContext === true;
    this.trustedProxies = new TrustedProxies(options.trustedProxies ?? []);
  }

  /**
   * The downstream identity for a verified token and the decision's tenant and scopes. A
   * token seen before answers from its own short list; otherwise the identity is interned by
   * content, so tokens with the same subject, client, tenant and scopes (or the same token
   * verified afresh, with the token cache off) share one identity and its derived headers.
   */
  identityFor(token: TokenIdentity, tenant: string, scopes: readonly string[]): DownstreamIdentity {
    let list = this.byToken.get(token);
    if (list === undefined) this.byToken.set(token, (list = []));
    for (const identity of list) if (identity.tenant === tenant && sameScopes(identity.scopes, scopes)) return identity;
    const key = `${tenant}\u0000${token.subject}\u0000${token.clientId}\u0000${scopes.join(' ')}`;
    let identity = this.byContent.get(key);
    if (identity === undefined) {
      if (this.byContent.size >= MAX_IDENTITIES) this.byContent.clear();
      identity = Object.freeze({ tenant, actor: token.subject, client: token.clientId, scopes: Object.freeze([...scopes]) });
      this.byContent.set(key, identity);
    }
    if (list.length < MAX_IDENTITIES_PER_TOKEN) list.push(identity);
    return identity;
  }

  /** The upstream's headers as an object (each name once; a repeated one as a list). */
  headers(input: RewriteInput): Record<string, string | string[]> {
    const list = this.headerList(input);
    const out: Record<string, string | string[]> = {};
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i];
      const existing = out[name];
      if (existing === undefined) out[name] = list[i + 1];
      else if (Array.isArray(existing)) existing.push(list[i + 1]);
      else out[name] = [existing, list[i + 1]];
    }
    return out;
  }

  /**
   * The upstream's headers as one flat list of names and values, the form the upstream client
   * takes without another pass: what the client sent that may travel on, then the identity
   * headers, the client address and the identity assertion.
   */
  headerList(input: RewriteInput): string[] {
    const out: string[] = [];
    if (input.host !== undefined) out.push('host', input.host);
    for (const name in input.headers) {
      const value = input.headers[name];
      if (value === undefined || HOP_BY_HOP.has(name) || FORWARDING_HEADERS.has(name) || (this.dropTraceContext && TRACE_CONTEXT.has(name))) continue;
      if (input.host !== undefined && name === 'host') continue;
      const entry = this.catalogue.lookup(name);
      if (entry !== null && !(entry.kind === 'consumed' && input.forwardAuthorization && entry.lower === name)) continue;
      if (typeof value === 'string') out.push(name, value);
      else for (const v of value) out.push(name, v);
    }
    for (const [name, value] of this.identityHeaders(input.identity, input.emitLegacy)) out.push(name, value);
    const [chain, forwarded] = this.forwardingValues(input.peerAddress, input.headers['x-forwarded-for']);
    const profile = this.catalogue.profile;
    out.push(
      'x-forwarded-for',
      chain,
      'forwarded',
      forwarded,
      profile.identityHeader,
      this.signer.sign(input.identity, { audience: input.audience, method: input.method, target: input.target }),
    );
    return out;
  }

  /**
   * `X-Forwarded-For` and `Forwarded` for a request. Inbound forwarding headers count only
   * from a trusted proxy; without them the values depend on the peer alone, and are kept per
   * peer address (a keep-alive connection sends many requests from one).
   */
  private forwardingValues(peerAddress: string | undefined, inbound: string | string[] | undefined): readonly [string, string] {
    if (inbound === undefined && peerAddress !== undefined) {
      const known = this.byPeer.get(peerAddress);
      if (known !== undefined) return known;
    }
    const address = resolveClientAddress(peerAddress, inbound, this.trustedProxies);
    const values = [address.chain, forwardedFor(address.client)] as const;
    if (inbound === undefined && peerAddress !== undefined) {
      if (this.byPeer.size >= MAX_PEERS) this.byPeer.clear();
      this.byPeer.set(peerAddress, values);
    }
    return values;
  }

  /** The identity headers of GATEWAY.md §2 for one identity, derived once. */
  private identityHeaders(identity: DownstreamIdentity, emitLegacy: boolean): HeaderPairs {
    let both = this.pairs.get(identity);
    if (both === undefined) {
      const profile = this.catalogue.profile;
      const plain: [string, string][] = [];
      if (identity.tenant !== null) plain.push([profile.canonicalTenantHeader, identity.tenant]);
      plain.push([profile.actorHeader, identity.actor]);
      if (identity.client !== null) plain.push([profile.clientHeader, identity.client]);
      if (identity.scopes.length > 0) plain.push([profile.scopesHeader, identity.scopes.join(' ')]);
      const legacy: [string, string][] = identity.tenant === null ? [] : profile.legacyTenantHeaders.map((h) => [h, identity.tenant as string]);
      both = { plain, withLegacy: [...plain, ...legacy] };
      this.pairs.set(identity, both);
    }
    return emitLegacy ? both.withLegacy : both.plain;
  }
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
