/**
 * Identity assertions in tests: sign one the way the gateway does (for module tests that
 * call a module directly), and verify one an upstream received (for gateway tests).
 */
import { decodeJwt } from 'jose';
import { publicUrl, type Config } from '../../src/config/schema.ts';
import type { ContractProfile } from '../../src/contract/profile.ts';
import type { Queryable } from '../../src/db/database.ts';
import { readIdentityKeySet } from '../../src/identity/identity-keys.ts';
import { IdentityKeySet } from '../../src/identity/key-set.ts';
import { IdentityAssertionSigner, type IdentitySigningKey } from '../../src/identity/sign-assertion.ts';
import type { DownstreamIdentity } from '../../src/identity/types.ts';
import { verifyIdentityAssertion, type AssertionVerification } from '../../src/identity/verify-assertion.ts';


/** An assertion for `audience` as the gateway of `config` would sign it. */
export function signAssertion(
  key: IdentitySigningKey,
  config: Config,
  identity: DownstreamIdentity,
  request: { audience: string; method: string; target: string },
  options: { ttlSeconds?: number; now?: () => number } = {},
): string {
  const signer = new IdentityAssertionSigner(key, {
    issuer: publicUrl(config),
    ttlSeconds: options.ttlSeconds ?? config.gateway.envelopeTtlSeconds,
    tenantClaim: config.profile.selectedTenantClaim,
    now: options.now,
  });
  return signer.sign(identity, request);
}

const keySets = new WeakMap<Queryable, IdentityKeySet>();

export function databaseKeySet(db: Queryable): IdentityKeySet {
  let keys = keySets.get(db);
  if (!keys) keySets.set(db, (keys = new IdentityKeySet({ load: () => readIdentityKeySet(db), cooldownMs: 0 })));
  return keys;
}

/**
 * Verifies the assertion an upstream received. The issuer and audience default to the
 * ones the assertion names (the gateway tests check those separately).
 */
export async function verifyReceived(
  db: Queryable,
  profile: ContractProfile,
  received: { assertion: string | undefined; tenantHeader: string | undefined; method: string; url: string },
  expect: { issuer?: string; audience?: string } = {},
): Promise<AssertionVerification> {
  let named: { iss?: unknown; aud?: unknown } = {};
  try {
    named = received.assertion ? decodeJwt(received.assertion) : {};
  } catch {
    // Verification below reports it as malformed.
  }
  return verifyIdentityAssertion(received.assertion, {
    keys: databaseKeySet(db),
    issuer: expect.issuer ?? String(named.iss),
    audience: expect.audience ?? String(named.aud),
    method: received.method,
    target: received.url,
    tenantClaim: profile.selectedTenantClaim,
    tenantHeader: received.tenantHeader,
  });
}
