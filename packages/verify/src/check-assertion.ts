/**
 * The one implementation of the identity assertion checks (tenantgate CONTRACT.md §8).
 * `createIdentityVerifier` runs it with a service's defaults; tenantgate's built-in modules run
 * it with their own key source and tenant rules. Everything is an input: the header values,
 * the request's method and target, the key source, the time.
 *
 * The checks run in a fixed order so that each refusal has one code: the header, its shape,
 * `typ`, `alg`, the key and signature, `iss`, `aud`, the times, the lifetime, `htm`, `htu`,
 * the tenant claim, the tenant header, and the identity claims.
 */
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { IdentityError } from './errors.js';
import { isNormalizedTenantId, normalizeTenantId } from './tenant.js';

export const ASSERTION_TYPE = 'identity+jwt';
export const DEFAULT_IDENTITY_HEADER = 'X-StellaOps-Identity';
export const DEFAULT_TENANT_HEADER = 'X-StellaOps-Tenant';
export const TENANT_CLAIM = 'stellaops:tenant';
/** The algorithms the gateway signs with. A service may narrow the list, never widen it. */
export const DEFAULT_ALGORITHMS: readonly string[] = ['EdDSA', 'ES256'];
export const DEFAULT_CLOCK_TOLERANCE_SEC = 5;
/** The gateway's `envelopeTtlSeconds` is at most 300: a longer-lived assertion is not its. */
export const DEFAULT_MAX_LIFETIME_SEC = 300;

/**
 * Where the verifying key comes from: jose's key resolver shape, given the protected header.
 * It may throw an `IdentityError` (`unknown_key`, `algorithm_not_allowed`, `malformed_assertion`
 * for a header without `kid`) to say why there is no key.
 */
export type KeySource = JWTVerifyGetKey;

export interface AssertionPolicy {
  keys: KeySource;
  /** The gateway's public URL, exactly as it writes `iss`. */
  issuer: string;
  /** This service's name: `aud` must be exactly this one string. */
  audience: string;
  /** Allowed `alg` values. Default `['EdDSA', 'ES256']`. */
  algorithms?: readonly string[];
  /** Clock skew accepted on `exp`, `nbf` and `iat`, in seconds. Default 5. */
  clockToleranceSec?: number;
  /** The longest `exp − iat` accepted, in seconds. Default 300. */
  maxLifetimeSec?: number;
  /** The claim carrying the tenant. Default `stellaops:tenant`. */
  tenantClaim?: string;
  /**
   * Also accept what the gateway writes on its public routes: no tenant claim (then no tenant
   * header either) and no `client_id`. Default false: both are required.
   */
  allowAnonymous?: boolean;
  /**
   * How the canonical tenant header must repeat the assertion's tenant:
   * - `exact` (default): present once, and (trimmed) equal to the tenant;
   * - `normalized`: every value, comma-split values included, normalized (CONTRACT.md §2), equals
   *   the tenant, and the header is absent exactly when the claim is;
   * - `caller`: not compared here; the caller compares the tenant it resolves itself.
   */
  tenantHeaderMatch?: 'exact' | 'normalized' | 'caller';
  /** The header names, for messages only. */
  identityHeader?: string;
  tenantHeader?: string;
}

export interface AssertionInput {
  /** Every value of the identity header as received (none when it is absent). */
  assertions: readonly string[];
  /** Every value of the canonical tenant header as received. */
  tenantHeader: readonly string[];
  /** The request's method as received, e.g. `GET`. */
  method: string;
  /** The request target as received: path and query (`/api/v1/things?x=1`), or an absolute URL. */
  url: string | URL;
  /** The verifier's clock. Default: now. */
  now?: Date;
}

export interface IdentityClaims extends JWTPayload {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  htm: string;
  htu: string;
  sub: string;
  client_id: string;
  scope: string;
  [TENANT_CLAIM]: string;
}

export interface CheckedAssertion {
  /** The one tenant the request acts in; null only with `allowAnonymous`. */
  tenant: string | null;
  subject: string;
  /** Null only with `allowAnonymous`. */
  clientId: string | null;
  scopes: string[];
  claims: IdentityClaims;
}

// The third segment may be empty so that `alg: none` is refused by name, not as malformed.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export async function checkAssertion(input: AssertionInput, policy: AssertionPolicy): Promise<CheckedAssertion> {
  const identityHeader = policy.identityHeader ?? DEFAULT_IDENTITY_HEADER;
  const tenantHeader = policy.tenantHeader ?? DEFAULT_TENANT_HEADER;
  const algorithms = [...(policy.algorithms ?? DEFAULT_ALGORITHMS)];
  const clockTolerance = policy.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  const tenantClaim = policy.tenantClaim ?? TENANT_CLAIM;
  const anonymous = policy.allowAnonymous ?? false;
  const nowSec = Math.floor((input.now?.getTime() ?? Date.now()) / 1000);

  const values = input.assertions;
  if (values.length === 0 || values.every((v) => v.trim() === '')) {
    throw new IdentityError('missing_assertion', `no ${identityHeader} header`);
  }
  const token = values.length === 1 ? values[0].trim() : '';
  if (!COMPACT_JWS.test(token)) {
    throw new IdentityError('malformed_assertion', `${identityHeader} is not one compact JWS`);
  }

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (err) {
    throw new IdentityError('malformed_assertion', 'the protected header is not JSON', { cause: err });
  }
  if (header.typ !== ASSERTION_TYPE) {
    throw new IdentityError('wrong_type', `typ is ${JSON.stringify(header.typ ?? null)}, expected "${ASSERTION_TYPE}"`);
  }
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
    throw new IdentityError('algorithm_not_allowed', `alg ${JSON.stringify(header.alg ?? null)} is not one of ${algorithms.join(', ')}`);
  }

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, policy.keys, {
      algorithms,
      typ: ASSERTION_TYPE,
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance,
      currentDate: input.now,
      requiredClaims: ['iss', 'aud', 'iat', 'exp', 'jti', 'sub'],
    }));
  } catch (err) {
    throw fromJose(err, header.kid);
  }
  const claims = payload as Partial<IdentityClaims> & Record<string, unknown>;

  if (typeof claims.aud !== 'string') {
    throw new IdentityError('wrong_audience', 'aud must name exactly one service');
  }
  const iat = claims.iat as number;
  const exp = claims.exp as number;
  if (iat > nowSec + clockTolerance) {
    throw new IdentityError('not_yet_valid', 'iat is in the future');
  }
  const lifetime = exp - iat;
  if (!Number.isInteger(iat) || !Number.isInteger(exp) || lifetime < 0 || lifetime > (policy.maxLifetimeSec ?? DEFAULT_MAX_LIFETIME_SEC)) {
    throw new IdentityError('expired', `the assertion lifetime (exp − iat = ${lifetime} s) is out of bounds`);
  }
  if (typeof claims.htm !== 'string' || claims.htm !== input.method.toUpperCase()) {
    throw new IdentityError('wrong_method', `the assertion is for ${JSON.stringify(claims.htm ?? null)}, the request is ${input.method}`);
  }
  const target = requestTarget(input.url);
  if (typeof claims.htu !== 'string' || claims.htu !== target) {
    throw new IdentityError('wrong_target', `the assertion is for ${JSON.stringify(claims.htu ?? null)}, the request is ${target}`);
  }

  const raw = claims[tenantClaim];
  if (!(raw === undefined && anonymous) && !isNormalizedTenantId(raw)) {
    throw new IdentityError('invalid_tenant', `${tenantClaim} is not one normalized tenant id`);
  }
  const tenant = raw === undefined ? null : (raw as string);
  if (!tenantHeaderMatches(policy.tenantHeaderMatch ?? 'exact', input.tenantHeader, tenant)) {
    throw new IdentityError('tenant_mismatch', `${tenantHeader} does not equal the assertion's tenant`);
  }

  const clientId = claims.client_id;
  if (typeof claims.jti !== 'string' || typeof claims.sub !== 'string' || typeof claims.scope !== 'string' || !(typeof clientId === 'string' || (clientId === undefined && anonymous))) {
    throw new IdentityError('malformed_assertion', anonymous ? 'jti, sub and scope must be strings, client_id a string when present' : 'jti, sub, client_id and scope must be strings');
  }

  return {
    tenant,
    subject: claims.sub,
    clientId: clientId ?? null,
    scopes: claims.scope.split(' ').filter((s) => s !== ''),
    claims: claims as IdentityClaims,
  };
}

function tenantHeaderMatches(mode: 'exact' | 'normalized' | 'caller', values: readonly string[], tenant: string | null): boolean {
  switch (mode) {
    case 'caller':
      return true;
    case 'exact':
      return tenant === null ? values.length === 0 : values.length === 1 && values[0].trim() === tenant;
    case 'normalized': {
      const all = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
      if (all.length === 0) return tenant === null;
      return tenant !== null && all.every((v) => normalizeTenantId(v) === tenant);
    }
  }
}

/** Path and query, as the gateway writes `htu`. An absolute URL is reduced to them. */
export function requestTarget(url: string | URL): string {
  if (typeof url !== 'string') return url.pathname + url.search;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  }
  return url;
}

function fromJose(err: unknown, kid: unknown): IdentityError {
  if (err instanceof IdentityError) return err;
  const because = { cause: err };
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new IdentityError('bad_signature', 'the signature does not verify', because);
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new IdentityError('unknown_key', `kid ${JSON.stringify(kid ?? null)} is not in the gateway's key set`, because);
  }
  if (err instanceof errors.JWTExpired) return new IdentityError('expired', 'the assertion has expired', because);
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return new IdentityError('wrong_issuer', 'iss is not this gateway', because);
      case 'aud':
        return new IdentityError('wrong_audience', 'aud is not this service', because);
      case 'nbf':
        return new IdentityError('not_yet_valid', 'the assertion is not valid yet', because);
      case 'iat':
        return new IdentityError('not_yet_valid', 'iat is not a valid time', because);
      case 'typ':
        return new IdentityError('wrong_type', 'not an identity assertion', because);
      default:
        return new IdentityError('malformed_assertion', `claim ${err.claim}: ${err.message}`, because);
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new IdentityError('algorithm_not_allowed', 'the algorithm is not allowed for this key', because);
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return new IdentityError('malformed_assertion', err.message, because);
  }
  // The key set could not be fetched or read: a timeout, a network error, not 200, not a JWKS.
  return new IdentityError('key_set_unavailable', `the gateway's key set is unavailable: ${err instanceof Error ? err.message : String(err)}`, because);
}
