/**
 * Verifies the identity assertion tenantgate's gateway forwards: one compact JWS in one header
 * (`X-StellaOps-Identity` by default), `typ: identity+jwt`, signed with a key from the
 * gateway's published key set, bound to this service (`aud`), to the gateway (`iss`), to the
 * request's method (`htm`) and target (`htu`, path and query as forwarded, as in RFC 9449),
 * carrying one normalized tenant (`stellaops:tenant`) that the canonical tenant header repeats.
 * The checks themselves are `checkAssertion` (check-assertion.ts); this file configures them
 * for a service: the remote key set, the header names, a tenant and a client always required.
 */
import { IdentityError } from './errors.js';
import { headerValues, type HeaderBag } from './headers.js';
import { remoteKeySet, type KeySet, type KeySetOptions } from './key-set.js';
import { checkAssertion, DEFAULT_ALGORITHMS, DEFAULT_IDENTITY_HEADER, DEFAULT_TENANT_HEADER, type IdentityClaims, type KeySource } from './check-assertion.js';

export { ASSERTION_TYPE, DEFAULT_ALGORITHMS, DEFAULT_IDENTITY_HEADER, DEFAULT_TENANT_HEADER, TENANT_CLAIM, requestTarget } from './check-assertion.js';
export type { IdentityClaims } from './check-assertion.js';

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
  /** The longest `exp − iat` accepted, in seconds. Default 300 (the gateway's upper bound). */
  maxLifetimeSec?: number;
  /** Header carrying the assertion. Default `X-StellaOps-Identity`. */
  identityHeader?: string;
  /** The canonical tenant header, which must equal the assertion's tenant. Default `X-StellaOps-Tenant`. */
  tenantHeader?: string;
  /** The claim carrying the tenant, when the deployment's contract profile renames it. Default `stellaops:tenant`. */
  tenantClaim?: string;
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

/** The remote key set as a key source: a header without `kid` names no key (`malformed_assertion`). */
function byKid(keySet: KeySet): KeySource {
  return (header, token) => {
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw new IdentityError('malformed_assertion', 'the protected header names no kid');
    }
    return keySet(header, token);
  };
}

export function createIdentityVerifier(options: VerifierOptions): IdentityVerifier {
  const keySet = remoteKeySet(options.jwksUrl, options);
  const identityHeader = options.identityHeader ?? DEFAULT_IDENTITY_HEADER;
  const tenantHeader = options.tenantHeader ?? DEFAULT_TENANT_HEADER;
  const policy = {
    keys: byKid(keySet),
    issuer: options.issuer,
    audience: options.audience,
    algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
    clockToleranceSec: options.clockToleranceSec,
    maxLifetimeSec: options.maxLifetimeSec,
    tenantClaim: options.tenantClaim,
    identityHeader,
    tenantHeader,
  };

  async function verify(headers: HeaderBag, request: RequestBinding): Promise<VerifiedIdentity> {
    const checked = await checkAssertion(
      { assertions: headerValues(headers, identityHeader), tenantHeader: headerValues(headers, tenantHeader), method: request.method, url: request.url },
      policy,
    );
    // Without allowAnonymous, checkAssertion has required both.
    return { tenant: checked.tenant!, subject: checked.subject, clientId: checked.clientId!, scopes: checked.scopes, claims: checked.claims };
  }

  return { verify, options, keySet };
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
