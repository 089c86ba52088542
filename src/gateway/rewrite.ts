/**
 * Stage 4 of the pipeline: the headers the upstream receives. Every reserved header (in any
 * spelling) and every hop-by-hop header is dropped; the gateway then writes the identity
 * headers of GATEWAY.md §2 itself, plus the signed identity envelope.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ContractProfile } from '../contract/profile.ts';
import type { EnvelopeSigner } from './envelope-signer.ts';
import type { HeaderCatalogue } from './header-catalogue.ts';

/** Hop-by-hop headers (RFC 9110 §7.6.1) the proxy must not forward. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

export const ANONYMOUS_ACTOR = 'anonymous';

export interface DownstreamIdentity {
  tenant: string | null;
  actor: string;
  client: string | null;
  scopes: readonly string[];
}

export interface RewriteInput {
  headers: IncomingHttpHeaders;
  catalogue: HeaderCatalogue;
  identity: DownstreamIdentity;
  /** Also write the legacy tenant headers (the module's `emitLegacyHeaders`). */
  emitLegacy: boolean;
  forwardAuthorization: boolean;
  signer: EnvelopeSigner;
  method: string;
  /** Request target as the upstream receives it (path + query). */
  target: string;
}

export function rewriteHeaders(input: RewriteInput): Record<string, string | string[]> {
  const { catalogue, identity } = input;
  const profile: ContractProfile = catalogue.profile;
  const out: Record<string, string | string[]> = {};
  for (const name in input.headers) {
    const value = input.headers[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    const entry = catalogue.lookup(name);
    if (entry !== null && !(entry.kind === 'consumed' && input.forwardAuthorization && entry.lower === name)) continue;
    out[name] = value;
  }
  if (identity.tenant !== null) {
    out[profile.canonicalTenantHeader] = identity.tenant;
    if (input.emitLegacy) for (const h of profile.legacyTenantHeaders) out[h] = identity.tenant;
  }
  out[profile.actorHeader] = identity.actor;
  if (identity.client !== null) out[profile.clientHeader] = identity.client;
  if (identity.scopes.length > 0) out[profile.scopesHeader] = identity.scopes.join(' ');
  const signed = input.signer.sign({ tenant: identity.tenant, actor: identity.actor, client: identity.client, scopes: [...identity.scopes] }, input.method, input.target);
  out[profile.envelopeHeader] = signed.envelope;
  out[profile.envelopeSignatureHeader] = signed.signature;
  out[profile.envelopeAlgorithmHeader] = signed.algorithm;
  return out;
}
