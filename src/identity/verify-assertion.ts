/**
 * Verifies an identity assertion (CONTRACT.md §8) for the built-in services, with the same
 * code every service behind the gateway uses: `checkAssertion` of @tenantgate/verify
 * (packages/verify). This file only maps tenantgate's side onto it — the key set read from
 * PostgreSQL, the profile's tenant claim, the public routes' anonymous assertions, the
 * normalized tenant header rule — and renames the SDK's codes to the error table's
 * `identity_*` codes.
 */
import { checkAssertion, IdentityError, type IdentityErrorCode, type KeySource } from '../../packages/verify/src/index.ts';
import type { JWTPayload } from 'jose';
import { TenantgateError } from '../contract/errors.ts';
import type { IdentityKeySet } from './key-set.ts';
import { IDENTITY_ALGORITHMS, type DownstreamIdentity, type IdentityAlgorithm } from './types.ts';

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

/** The SDK's refusal codes → the error table's (CONTRACT.md §6). */
const REJECTIONS: Record<IdentityErrorCode, IdentityRejection> = {
  missing_assertion: 'identity_assertion_missing',
  malformed_assertion: 'identity_assertion_malformed',
  bad_signature: 'identity_signature_invalid',
  unknown_key: 'identity_key_unknown',
  wrong_audience: 'identity_audience_mismatch',
  wrong_issuer: 'identity_issuer_mismatch',
  wrong_method: 'identity_method_mismatch',
  wrong_target: 'identity_target_mismatch',
  expired: 'identity_assertion_expired',
  not_yet_valid: 'identity_assertion_expired',
  wrong_type: 'identity_type_invalid',
  algorithm_not_allowed: 'identity_algorithm_rejected',
  invalid_tenant: 'identity_tenant_invalid',
  tenant_mismatch: 'identity_tenant_mismatch',
  // Not reached: a key set that could not be loaded is rethrown as the outage it is (below).
  key_set_unavailable: 'identity_key_unknown',
};

/** tenantgate's key set as the SDK's key source: unknown (or absent) kid, and alg other than the key's. */
function keySource(keys: IdentityKeySet): KeySource {
  return async (header) => {
    if (typeof header.kid !== 'string') throw new IdentityError('unknown_key', 'the assertion names no kid');
    const found = await keys.keyFor(header.kid);
    if (!found) throw new IdentityError('unknown_key', `the assertion's kid is not in the published key set (${header.kid})`);
    if (found.algorithm !== header.alg) throw new IdentityError('algorithm_not_allowed', `kid ${header.kid} is an ${found.algorithm} key, not ${String(header.alg)}`);
    return found.key;
  };
}

const sources = new WeakMap<IdentityKeySet, KeySource>();

function valuesOf(header: string | string[] | undefined): string[] {
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

export async function verifyIdentityAssertion(assertion: string | string[] | undefined, options: AssertionVerifyOptions): Promise<AssertionVerification> {
  let keys = sources.get(options.keys);
  if (!keys) sources.set(options.keys, (keys = keySource(options.keys)));
  try {
    const checked = await checkAssertion(
      { assertions: valuesOf(assertion), tenantHeader: valuesOf(options.tenantHeader), method: options.method, url: options.target, now: options.now },
      {
        keys,
        issuer: options.issuer,
        audience: options.audience,
        algorithms: options.algorithms ?? IDENTITY_ALGORITHMS,
        clockToleranceSec: options.clockToleranceSeconds ?? 5,
        maxLifetimeSec: options.maxLifetimeSeconds ?? 300,
        tenantClaim: options.tenantClaim,
        // Public routes: the gateway signs them with no tenant and no client.
        allowAnonymous: true,
        tenantHeaderMatch: options.callerComparesTenant ? 'caller' : 'normalized',
      },
    );
    return {
      ok: true,
      claims: checked.claims as IdentityAssertionClaims,
      identity: { tenant: checked.tenant, actor: checked.subject, client: checked.clientId, scopes: checked.scopes },
    };
  } catch (err) {
    if (!(err instanceof IdentityError)) throw err;
    // The key set could not be loaded (the database is away): an outage, answered 503 by the host.
    if (err.code === 'key_set_unavailable') throw err.cause instanceof TenantgateError ? err.cause : new TenantgateError('unavailable', err.message, { cause: err });
    return { ok: false, code: REJECTIONS[err.code], detail: err.message };
  }
}
