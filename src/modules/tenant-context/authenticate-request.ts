/**
 * Who sent this request: the identity inside a verified gateway envelope, or — only with the
 * development switch and only from a loopback peer that sent no envelope at all — the plain
 * identity headers.
 */
import type { ContractProfile } from '../../contract/profile.ts';
import { verifyEnvelope, type EnvelopeFailure, type EnvelopeIdentity, type EnvelopeKeyLookup } from '../../identity/envelope.ts';
import type { HeaderBag } from './resolve-tenant.ts';

export type RequestAuthentication =
  | { ok: true; identity: EnvelopeIdentity; viaEnvelope: boolean }
  | { ok: false; reason: EnvelopeFailure };

export interface AuthenticateInput {
  headers: HeaderBag;
  method: string;
  /** Request target as received (path + query): the envelope binds it. */
  url: string;
  peerAddress: string | undefined;
}

function single(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

export async function authenticateRequest(
  input: AuthenticateInput,
  profile: ContractProfile,
  lookup: EnvelopeKeyLookup,
  options: { trustLoopbackWithoutEnvelope: boolean; now?: Date },
): Promise<RequestAuthentication> {
  const envelope = single(input.headers, profile.envelopeHeader);
  const signature = single(input.headers, profile.envelopeSignatureHeader);
  const algorithm = single(input.headers, profile.envelopeAlgorithmHeader);
  const noEnvelopeAtAll = [profile.envelopeHeader, profile.envelopeSignatureHeader, profile.envelopeAlgorithmHeader].every(
    (h) => input.headers[h.toLowerCase()] === undefined,
  );
  if (noEnvelopeAtAll && options.trustLoopbackWithoutEnvelope && isLoopback(input.peerAddress)) {
    const scopes = single(input.headers, profile.scopesHeader);
    return {
      ok: true,
      viaEnvelope: false,
      identity: {
        // The tenant still comes from the tenant headers through the resolver.
        tenant: null,
        actor: single(input.headers, profile.actorHeader) ?? 'anonymous',
        client: single(input.headers, profile.clientHeader) ?? null,
        scopes: scopes ? scopes.split(/\s+/).filter(Boolean) : [],
      },
    };
  }
  const result = await verifyEnvelope({ envelope, signature, algorithm, method: input.method, path: input.url }, lookup, options.now);
  if (!result.ok) return result;
  const { tenant, actor, client, scopes } = result.claims;
  return { ok: true, viaEnvelope: true, identity: { tenant, actor, client, scopes } };
}
