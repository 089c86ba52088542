/**
 * Validates an access token per CONTRACT.md §5 (signature, alg allow-list, typ, iss, aud,
 * exp/nbf with a small skew, and the tenant claims). Database checks (revocation, current
 * assignments) are the caller's: see introspection.
 */
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { TenantgateError } from '../../contract/errors.ts';
import type { ContractProfile } from '../../contract/profile.ts';
import { checkAccessTokenClaims, type ClaimRejection } from '../../identity/access-token-claims.ts';
import type { SigningAlgorithm } from '../keys/signing-keys.ts';
import { ACCESS_TOKEN_TYPE } from './access-token.ts';

export const allowedAlgorithms: SigningAlgorithm[] = ['EdDSA', 'ES256'];

export type TokenRejection =
  | 'malformed'
  | 'algorithm'
  | 'unknown_key'
  | 'signature'
  | 'typ'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not_yet_valid'
  | 'claims'
  | 'tenant_missing'
  | 'tenant_invalid'
  | 'tenant_out_of_assignment';

export interface ValidatedToken {
  claims: JWTPayload & Record<string, unknown>;
  subject: string;
  clientId: string;
  tenant: string;
  /** Null when the token carries no assigned-set claim. */
  allowedTenants: string[] | null;
  scopes: string[];
  tokenId: string;
  /** `iat`, seconds. */
  issuedAt: number;
  expiresAt: number;
  /** True when the tenant came from the legacy claim (compatibility mode only). */
  legacyTenantClaim: boolean;
}

export type TokenValidation = { ok: true; token: ValidatedToken } | { ok: false; reason: TokenRejection; detail: string };

export interface ValidationOptions {
  issuer: string;
  audience: string;
  profile: ContractProfile;
  clockSkewSeconds: number;
  keyFor: (kid: string) => { algorithm: SigningAlgorithm; key: CryptoKey } | null;
  /** Whether a legacy tenant claim is admissible in place of the selected-tenant claim (asked per client). */
  legacyTenantClaimAllowed?: boolean | ((clientId: string) => Promise<boolean>);
  now?: Date;
}

class UnknownKey extends TenantgateError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

async function legacyClaimAdmissible(options: ValidationOptions, clientId: string): Promise<boolean> {
  const allowed = options.legacyTenantClaimAllowed;
  return typeof allowed === 'function' ? allowed(clientId) : allowed === true;
}

function rejectionOf(reason: ClaimRejection): TokenRejection {
  switch (reason) {
    case 'tenant_claim_malformed':
    case 'tid_claim_malformed':
    case 'allowed_tenants_malformed':
      return 'tenant_invalid';
    case 'tenant_out_of_assignment':
      return 'tenant_out_of_assignment';
    default:
      return 'claims';
  }
}

function fail(reason: TokenRejection, detail: string): TokenValidation {
  return { ok: false, reason, detail };
}

export async function validateAccessToken(token: string, options: ValidationOptions): Promise<TokenValidation> {
  let payload: JWTPayload & Record<string, unknown>;
  try {
    const result = await jwtVerify(
      token,
      async (header) => {
        if (typeof header.kid !== 'string') throw new UnknownKey('no kid');
        const found = options.keyFor(header.kid);
        if (!found) throw new UnknownKey(`kid ${header.kid}`);
        if (found.algorithm !== header.alg) throw new joseErrors.JOSEAlgNotAllowed('alg does not match the key');
        return found.key;
      },
      {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: allowedAlgorithms,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: options.clockSkewSeconds,
        currentDate: options.now,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      },
    );
    payload = result.payload as JWTPayload & Record<string, unknown>;
  } catch (err) {
    return fail(...classify(err));
  }
  // The claim rules are the shared CONTRACT.md §5 implementation (src/identity), the same the
  // gateway applies; only the admissibility of the legacy claim and the absent tenant are
  // decided here.
  const checked = checkAccessTokenClaims(payload, options.profile);
  if (!checked.ok) return fail(rejectionOf(checked.reason), checked.detail);
  const claims = checked.claims;
  let tenant = claims.tenant;
  let legacy = false;
  if (tenant === null && claims.legacyTenant !== null && (await legacyClaimAdmissible(options, claims.clientId))) {
    tenant = claims.legacyTenant;
    legacy = true;
  }
  if (tenant === null) return fail('tenant_missing', 'the token carries no tenant');
  return {
    ok: true,
    token: {
      claims: payload,
      subject: claims.subject,
      clientId: claims.clientId,
      tenant,
      allowedTenants: claims.allowedTenants === null ? null : [...claims.allowedTenants],
      scopes: [...claims.scopes],
      tokenId: claims.tokenId,
      issuedAt: claims.issuedAt,
      expiresAt: claims.expiresAt,
      legacyTenantClaim: legacy,
    },
  };
}

function classify(err: unknown): [TokenRejection, string] {
  if (err instanceof UnknownKey) return ['unknown_key', 'the token was signed by a key the JWKS does not hold'];
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return ['algorithm', 'the token algorithm is not allowed'];
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return ['signature', 'the signature does not verify'];
  if (err instanceof joseErrors.JWTExpired) return ['expired', 'the token has expired'];
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return ['issuer', 'unexpected issuer'];
      case 'aud':
        return ['audience', 'unexpected audience'];
      case 'typ':
        return ['typ', `the token type must be ${ACCESS_TOKEN_TYPE}`];
      case 'nbf':
      case 'iat':
        return ['not_yet_valid', 'the token is not yet valid'];
      default:
        return ['claims', `claim ${err.claim} is invalid`];
    }
  }
  if (err instanceof joseErrors.JOSENotSupported) return ['algorithm', 'the token algorithm is not supported'];
  return ['malformed', 'the token is not a well-formed JWS'];
}
