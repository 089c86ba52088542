/**
 * Who sent this request: the identity inside a verified identity assertion (CONTRACT.md §8,
 * verified by src/identity exactly as any service behind the gateway verifies it), or — only
 * with the development switch and only from a loopback peer that sent no assertion at all —
 * the plain identity headers.
 */
import type { ContractProfile } from '../../contract/profile.ts';
import type { IdentityKeySet } from '../../identity/key-set.ts';
import { verifyIdentityAssertion, type IdentityRejection } from '../../identity/verify-assertion.ts';
import type { DownstreamIdentity } from '../../identity/types.ts';
import type { HeaderBag } from './resolve-tenant.ts';

export type RequestAuthentication =
  | { ok: true; identity: DownstreamIdentity; viaEnvelope: boolean }
  | { ok: false; code: IdentityRejection; detail: string };

export interface AssertionExpectations {
  keys: IdentityKeySet;
  /** The gateway's public URL (`iss`). */
  issuer: string;
  /** This service's name (`aud`). */
  audience: string;
  maxLifetimeSeconds?: number;
}

export interface AuthenticateInput {
  headers: HeaderBag;
  method: string;
  /** Request target as received (path + query): the assertion binds it (`htu`). */
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
  expect: AssertionExpectations,
  options: { trustLoopbackWithoutEnvelope: boolean; now?: Date },
): Promise<RequestAuthentication> {
  const assertion = input.headers[profile.identityHeader.toLowerCase()];
  if (assertion === undefined && options.trustLoopbackWithoutEnvelope && isLoopback(input.peerAddress)) {
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
  const result = await verifyIdentityAssertion(assertion, {
    keys: expect.keys,
    issuer: expect.issuer,
    audience: expect.audience,
    method: input.method,
    target: input.url,
    tenantClaim: profile.selectedTenantClaim,
    tenantHeader: input.headers[profile.canonicalTenantHeader.toLowerCase()],
    // The plugin compares the tenant it resolves (after its conflict checks) with the assertion's.
    callerComparesTenant: true,
    maxLifetimeSeconds: expect.maxLifetimeSeconds,
    now: options.now,
  });
  if (!result.ok) return result;
  return { ok: true, viaEnvelope: true, identity: result.identity };
}
