/**
 * Verifies the identity assertion tenantgate's gateway forwards: one compact JWS in one header
 * (`X-StellaOps-Identity` by default), `typ: identity+jwt`, signed with a key from the
 * gateway's published key set, bound to this service (`aud`), to the gateway (`iss`), to the
 * request's method (`htm`) and target (`htu`, path and query as forwarded, as in RFC 9449),
 * carrying one normalized tenant (`stellaops:tenant`) that the canonical tenant header repeats.
 *
 * The checks run in a fixed order so that each refusal has one code: the header, its shape,
 * `typ`, `alg`, the key and signature, `iss`, `aud`, the times, `htm`, `htu`, the tenant, the
 * tenant header, and the identity claims.
 */
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { IdentityError } from './errors.js';
import { headerValues, type HeaderBag } from './headers.js';
import { remoteKeySet, type KeySet, type KeySetOptions } from './key-set.js';
import { isNormalizedTenantId } from './tenant.js';

export const ASSERTION_TYPE = 'identity+jwt';
export const DEFAULT_IDENTITY_HEADER = 'X-StellaOps-Identity';
export const DEFAULT_TENANT_HEADER = 'X-StellaOps-Tenant';
export const TENANT_CLAIM = 'stellaops:tenant';
/** The algorithms the gateway signs with. A service may narrow the list, never widen it. */
export const DEFAULT_ALGORITHMS: readonly string[] = ['EdDSA', 'ES256'];

export interface IdentityClaims extends JWTPayload {
  iss: string;
  aud: string | string[];
  iat: number;
  exp: number;
  jti: string;
  htm: string;
  htu: string;
  [TENANT_CLAIM]: string;
  sub: string;
  client_id: string;
  scope: string;
}

export interface VerifiedIdentity {
  /** The one tenant the request acts in. */
  tenant: string;
  /** The token's subject: a user id or, for a client's own token, the client id. */
  subject: string;
  clientId: string;
  scopes: string[];
  claims: IdentityClaims;
}

/** What a service configures once: where the keys are and who it is. */
export interface VerifierOptions extends KeySetOptions {
  /** The gateway's key set, e.g. `https://gateway.example/.well-known/identity-jwks.json`. */
  jwksUrl: string | URL;
  /** The gateway's public URL, exactly as it writes `iss`. */
  issuer: string;
  /** This service's name, as declared in the gateway's `services.<name>`. */
  audience: string;
  /** Allowed `alg` values. Default `['EdDSA', 'ES256']`. */
  algorithms?: readonly string[];
  /** Clock skew accepted on `exp`, `nbf` and `iat`, in seconds. Default 5. */
  clockToleranceSec?: number;
  /** Header carrying the assertion. Default `X-StellaOps-Identity`. */
  identityHeader?: string;
  /** The canonical tenant header, which must equal the assertion's tenant. Default `X-StellaOps-Tenant`. */
  tenantHeader?: string;
}

/** What varies per request. */
export interface RequestBinding {
  /** The request's method as received, e.g. `GET`. */
  method: string;
  /** The request target as received: path and query (`/api/v1/things?x=1`), or an absolute URL. */
  url: string | URL;
}

export interface VerifyOptions extends VerifierOptions, RequestBinding {}

export interface IdentityVerifier {
  verify(headers: HeaderBag, request: RequestBinding): Promise<VerifiedIdentity>;
  readonly options: Readonly<VerifierOptions>;
  readonly keySet: KeySet;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const DEFAULT_CLOCK_TOLERANCE_SEC = 5;

export function createIdentityVerifier(options: VerifierOptions): IdentityVerifier {
  const keySet = remoteKeySet(options.jwksUrl, options);
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  const clockTolerance = options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  const identityHeader = options.identityHeader ?? DEFAULT_IDENTITY_HEADER;
  const tenantHeader = options.tenantHeader ?? DEFAULT_TENANT_HEADER;

  async function verify(headers: HeaderBag, request: RequestBinding): Promise<VerifiedIdentity> {
    const values = headerValues(headers, identityHeader);
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
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw new IdentityError('malformed_assertion', 'the protected header names no kid');
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        algorithms,
        typ: ASSERTION_TYPE,
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance,
        requiredClaims: ['iss', 'aud', 'iat', 'exp', 'jti'],
      }));
    } catch (err) {
      throw fromJose(err, header.kid);
    }
    const claims = payload as Partial<IdentityClaims>;

    if (typeof claims.iat !== 'number' || claims.iat > Math.floor(Date.now() / 1000) + clockTolerance) {
      throw new IdentityError('not_yet_valid', 'iat is in the future');
    }
    if (typeof claims.htm !== 'string' || claims.htm !== request.method) {
      throw new IdentityError('wrong_method', `the assertion is for ${JSON.stringify(claims.htm ?? null)}, the request is ${request.method}`);
    }
    const target = requestTarget(request.url);
    if (typeof claims.htu !== 'string' || claims.htu !== target) {
      throw new IdentityError('wrong_target', `the assertion is for ${JSON.stringify(claims.htu ?? null)}, the request is ${target}`);
    }
    const tenant = claims[TENANT_CLAIM];
    if (!isNormalizedTenantId(tenant)) {
      throw new IdentityError('invalid_tenant', `${TENANT_CLAIM} is not one normalized tenant id`);
    }
    const echoed = headerValues(headers, tenantHeader);
    if (echoed.length !== 1 || echoed[0].trim() !== tenant) {
      throw new IdentityError('tenant_mismatch', `${tenantHeader} does not equal the assertion's tenant`);
    }
    if (typeof claims.jti !== 'string' || typeof claims.sub !== 'string' || typeof claims.client_id !== 'string' || typeof claims.scope !== 'string') {
      throw new IdentityError('malformed_assertion', 'jti, sub, client_id and scope must be strings');
    }

    return {
      tenant,
      subject: claims.sub,
      clientId: claims.client_id,
      scopes: claims.scope.split(' ').filter((s) => s !== ''),
      claims: claims as IdentityClaims,
    };
  }

  return { verify, options, keySet };
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

function fromJose(err: unknown, kid: string): IdentityError {
  const because = { cause: err };
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new IdentityError('bad_signature', 'the signature does not verify', because);
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new IdentityError('unknown_key', `kid ${JSON.stringify(kid)} is not in the gateway's key set`, because);
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

const shared = new Map<string, IdentityVerifier>();

/**
 * One-call verification. Verifiers (and so their key caches) are shared between calls with
 * the same settings; a service that wants its own makes one with `createIdentityVerifier`.
 */
export function verifyIdentity(headers: HeaderBag, options: VerifyOptions): Promise<VerifiedIdentity> {
  const { method, url, ...settings } = options;
  const key = JSON.stringify({ ...settings, jwksUrl: String(settings.jwksUrl) }, Object.keys(settings).sort());
  let verifier = shared.get(key);
  if (!verifier) {
    verifier = createIdentityVerifier(settings);
    shared.set(key, verifier);
  }
  return verifier.verify(headers, { method, url });
}
