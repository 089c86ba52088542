/**
 * Verifies an identity assertion (CONTRACT.md §8) the way every service behind the gateway
 * must: jose's `jwtVerify` with the algorithm allow-list, `typ: identity+jwt`, the issuer and
 * this service's audience, then the request binding (`htm`, `htu`), the tenant claim and the
 * canonical tenant header. Each rejection is a stable code of the error table.
 */
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { isNormalizedTenantId, normalizeTenantId } from '../contract/tenant.ts';
import type { IdentityKeySet } from './key-set.ts';
import { IDENTITY_ALGORITHMS, IDENTITY_ASSERTION_TYPE, type DownstreamIdentity, type IdentityAlgorithm } from './types.ts';

export type IdentityRejection =
  | 'identity_assertion_missing'
  | 'identity_assertion_malformed'
  | 'identity_algorithm_rejected'
  | 'identity_type_invalid'
  | 'identity_key_unknown'
  | 'identity_signature_invalid'
  | 'identity_issuer_mismatch'
  | 'identity_audience_mismatch'
  | 'identity_assertion_expired'
  | 'identity_method_mismatch'
  | 'identity_target_mismatch'
  | 'identity_tenant_invalid'
  | 'identity_tenant_mismatch';

export interface IdentityAssertionClaims extends JWTPayload {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  htm: string;
  htu: string;
  sub: string;
  client_id?: string;
  scope: string;
}

export interface AssertionVerifyOptions {
  keys: IdentityKeySet;
  issuer: string;
  /** This service's name: the `aud` the gateway sets for the routes that reach it. */
  audience: string;
  /** The request as received: method and target (path + query). */
  method: string;
  target: string;
  /** The selected-tenant claim name (the profile's `selectedTenantClaim`). */
  tenantClaim: string;
  /** The canonical tenant header's value(s) as received (undefined = absent). */
  tenantHeader: string | string[] | undefined;
  /**
   * Leave the header comparison to the caller, who compares its own resolved tenant with the
   * assertion's (the built-in resolver does, after its conflict checks across aliases).
   */
  callerComparesTenant?: boolean;
  algorithms?: readonly IdentityAlgorithm[];
  clockToleranceSeconds?: number;
  /** The longest exp − iat accepted (the gateway's `envelopeTtlSeconds` is at most 300). */
  maxLifetimeSeconds?: number;
  now?: Date;
}

export type AssertionVerification =
  | { ok: true; identity: DownstreamIdentity; claims: IdentityAssertionClaims }
  | { ok: false; code: IdentityRejection; detail: string };

class UnknownKid extends Error {}

function reject(code: IdentityRejection, detail: string): AssertionVerification {
  return { ok: false, code, detail };
}

export async function verifyIdentityAssertion(assertion: string | string[] | undefined, options: AssertionVerifyOptions): Promise<AssertionVerification> {
  if (assertion === undefined || assertion === '') return reject('identity_assertion_missing', 'the request carries no identity assertion');
  if (Array.isArray(assertion)) return reject('identity_assertion_malformed', 'the request carries more than one identity assertion');
  const algorithms = options.algorithms ?? IDENTITY_ALGORITHMS;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      assertion,
      async (header) => {
        if (typeof header.kid !== 'string') throw new UnknownKid('no kid');
        const found = await options.keys.keyFor(header.kid);
        if (!found) throw new UnknownKid(header.kid);
        if (found.algorithm !== header.alg) throw new joseErrors.JOSEAlgNotAllowed('alg does not match the key');
        return found.key;
      },
      {
        algorithms: [...algorithms],
        typ: IDENTITY_ASSERTION_TYPE,
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        requiredClaims: ['iat', 'exp', 'jti', 'sub'],
        currentDate: options.now,
      },
    ));
  } catch (err) {
    return reject(...classify(err));
  }
  const claims = payload as IdentityAssertionClaims;
  const lifetime = claims.exp - claims.iat;
  if (!Number.isInteger(claims.iat) || !Number.isInteger(claims.exp) || lifetime < 0 || lifetime > (options.maxLifetimeSeconds ?? 300)) {
    return reject('identity_assertion_expired', 'the assertion lifetime (exp - iat) is out of bounds');
  }
  if (typeof claims.jti !== 'string' || typeof claims.sub !== 'string' || typeof claims.scope !== 'string' || (claims.client_id !== undefined && typeof claims.client_id !== 'string')) {
    return reject('identity_assertion_malformed', 'jti, sub and scope must be strings, client_id a string when present');
  }
  if (typeof claims.aud !== 'string') return reject('identity_audience_mismatch', 'aud must name exactly one service');
  if (claims.htm !== options.method.toUpperCase()) return reject('identity_method_mismatch', `the assertion was issued for ${String(claims.htm)}, not ${options.method}`);
  if (claims.htu !== options.target) return reject('identity_target_mismatch', 'the assertion was issued for another request target');

  const rawTenant = (claims as Record<string, unknown>)[options.tenantClaim];
  if (rawTenant !== undefined && !isNormalizedTenantId(rawTenant)) return reject('identity_tenant_invalid', `${options.tenantClaim} is not a single normalized tenant id`);
  const tenant = (rawTenant as string | undefined) ?? null;
  if (!options.callerComparesTenant && !headerMatches(options.tenantHeader, tenant)) {
    return reject('identity_tenant_mismatch', 'the canonical tenant header does not equal the tenant in the assertion');
  }
  return {
    ok: true,
    claims,
    identity: { tenant, actor: claims.sub, client: claims.client_id ?? null, scopes: claims.scope.split(' ').filter((s) => s !== '') },
  };
}

/** Every value of the header (repeats and comma-joined values included), normalized, is the tenant; absent only when it is null. */
function headerMatches(header: string | string[] | undefined, tenant: string | null): boolean {
  const values = (Array.isArray(header) ? header : header === undefined ? [] : [header]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) return tenant === null;
  return tenant !== null && values.every((v) => normalizeTenantId(v) === tenant);
}

function classify(err: unknown): [IdentityRejection, string] {
  if (err instanceof UnknownKid) return ['identity_key_unknown', `the assertion's kid is not in the published key set (${err.message})`];
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return ['identity_algorithm_rejected', 'the assertion algorithm is not allowed'];
  if (err instanceof joseErrors.JOSENotSupported) return ['identity_algorithm_rejected', 'the assertion algorithm is not supported'];
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return ['identity_signature_invalid', 'the assertion signature does not verify'];
  if (err instanceof joseErrors.JWTExpired) return ['identity_assertion_expired', 'the assertion has expired'];
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'typ':
        return ['identity_type_invalid', `the assertion typ must be ${IDENTITY_ASSERTION_TYPE}`];
      case 'iss':
        return ['identity_issuer_mismatch', 'the assertion was issued by another gateway'];
      case 'aud':
        return ['identity_audience_mismatch', 'the assertion was issued for another service'];
      case 'iat':
      case 'nbf':
        return ['identity_assertion_expired', 'the assertion is not yet valid'];
      default:
        return ['identity_assertion_malformed', `claim ${err.claim} is missing or invalid`];
    }
  }
  return ['identity_assertion_malformed', 'the assertion is not a well-formed JWS'];
}
