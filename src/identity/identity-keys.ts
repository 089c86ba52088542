/**
 * The identity assertion's keys in PostgreSQL (`gateway.identity_keys`, migrations 0002 and
 * 0063): private keys sealed under the key-encryption key, public keys published as a JWKS.
 *
 * States: a key is *active* while `verify_until` is null. `rotateIdentityKey` adds a new
 * active key that is first only *published* — in the key set, not signing — until its
 * `signs_from` (the publish lead: verifiers that cached the set just before have passed their
 * refetch cooldown by then); the previous keys keep signing until then and get a
 * `verify_until` — they keep verifying (stay in the published key set) for the overlap after
 * it; once that has passed `retireExpiredIdentityKeys` (run by every gateway's key refresh and
 * by the rotate and list commands) sets `retired_at`, and the key is no longer published.
 * The gateway signs with the newest key whose `signs_from` has come.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import type { Database, Queryable } from '../db/database.ts';
import { seal, unseal } from '../crypto/sealed.ts';
import type { IdentitySigningKey } from './sign-assertion.ts';
import type { IdentityAlgorithm } from './types.ts';

/** Serializes key creation and rotation across gateways and the CLI. */
const KEY_LOCK = 7314004;

const sealContext = (kid: string) => `tenantgate:envelope:${kid}`;

export type IdentityKeyState = 'published' | 'active' | 'verifying' | 'retired';

export interface IdentityKeyRecord {
  kid: string;
  algorithm: IdentityAlgorithm;
  createdAt: Date;
  /** When gateways start signing with it. */
  signsFrom: Date;
  verifyUntil: Date | null;
  retiredAt: Date | null;
  state: IdentityKeyState;
}

/**
 * The overlap a replaced key keeps verifying for: twice (assertion lifetime + the longest a
 * verifier may keep an old key set: the JWKS max-age, plus the gateway's own key refresh
 * interval before it starts signing with the new key).
 */
export function identityKeyOverlapSeconds(settings: { ttlSeconds: number; jwksMaxAgeSeconds: number; keyRefreshMs: number }): number {
  return 2 * (settings.ttlSeconds + settings.jwksMaxAgeSeconds + Math.ceil(settings.keyRefreshMs / 1000));
}

function generate(algorithm: IdentityAlgorithm): { publicKey: KeyObject; privateKey: KeyObject } {
  return algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
}

async function insertKey(tx: Queryable, kek: string, algorithm: IdentityAlgorithm, leadSeconds = 0): Promise<IdentitySigningKey> {
  const { publicKey, privateKey } = generate(algorithm);
  const kid = `id-${randomUUID()}`;
  await tx.query(
    'insert into gateway.identity_keys (kid, algorithm, public_key, private_key_sealed, signs_from) values ($1, $2, $3, $4, now() + make_interval(secs => $5))',
    [kid, algorithm, publicKey.export({ type: 'spki', format: 'pem' }).toString(), seal(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), kek, sealContext(kid)), leadSeconds],
  );
  return { kid, algorithm, privateKey };
}

/**
 * The key to sign with: the newest still-verifying key whose `signs_from` has come — during a
 * rotation's publish lead that is the replaced key. Only when no key has reached its
 * `signs_from` (never after a normal rotation) the newest active one.
 */
async function signingKey(db: Queryable, kek: string): Promise<IdentitySigningKey | null> {
  const { rows } = await db.query<{ kid: string; algorithm: IdentityAlgorithm; private_key_sealed: string }>(
    `select kid, algorithm, private_key_sealed from gateway.identity_keys
      where retired_at is null and (verify_until is null or verify_until > now())
      order by (signs_from <= now()) desc, (verify_until is null) desc, created_at desc, kid limit 1`,
  );
  if (rows.length === 0) return null;
  const row = rows[0];
  return { kid: row.kid, algorithm: row.algorithm, privateKey: createPrivateKey(unseal(row.private_key_sealed, kek, sealContext(row.kid))) };
}

/** The key the gateway signs with (see signingKey), created (as `algorithm`) on first use. */
export async function loadOrCreateIdentitySigningKey(db: Database, kek: string, algorithm: IdentityAlgorithm = 'EdDSA'): Promise<IdentitySigningKey> {
  const existing = await signingKey(db, kek);
  if (existing) return existing;
  // Two gateways starting together: the advisory lock lets exactly one create the key.
  return db.withTransaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [KEY_LOCK]);
    return (await signingKey(tx, kek)) ?? insertKey(tx, kek, algorithm);
  });
}

/** The key to sign with now (no creation): what a running gateway switches to after a rotation's lead. */
export function loadIdentitySigningKey(db: Queryable, kek: string): Promise<IdentitySigningKey | null> {
  return signingKey(db, kek);
}

export interface IdentityRotation {
  kid: string;
  algorithm: IdentityAlgorithm;
  /** When gateways start signing with the new key (after the publish lead). */
  signsFrom: Date;
  /** Keys that were active and now verify only until `verifyUntil`. */
  replaced: string[];
  verifyUntil: Date;
  /** Keys whose overlap had already passed, retired now. */
  retired: string[];
}

/**
 * Adds a key that is published at once and signs after `leadSeconds`; the keys it replaces keep
 * signing until then and verifying for `overlapSeconds` after it.
 */
export async function rotateIdentityKey(db: Database, kek: string, algorithm: IdentityAlgorithm, overlapSeconds: number, leadSeconds = 0): Promise<IdentityRotation> {
  return db.withTransaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [KEY_LOCK]);
    const retired = await retireExpiredIdentityKeys(tx);
    const replaced = await tx.query<{ kid: string; verify_until: Date }>(
      `update gateway.identity_keys set verify_until = now() + make_interval(secs => $1)
        where retired_at is null and verify_until is null returning kid, verify_until`,
      [leadSeconds + overlapSeconds],
    );
    const key = await insertKey(tx, kek, algorithm, leadSeconds);
    const { rows } = await tx.query<{ from: Date; until: Date }>(
      'select now() + make_interval(secs => $1) as from, now() + make_interval(secs => $2) as until',
      [leadSeconds, leadSeconds + overlapSeconds],
    );
    return { kid: key.kid, algorithm, signsFrom: rows[0].from, replaced: replaced.rows.map((r) => r.kid), verifyUntil: rows[0].until, retired };
  });
}

/** Sets `retired_at` on every key whose overlap has passed; returns their kids. */
export async function retireExpiredIdentityKeys(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ kid: string }>(
    'update gateway.identity_keys set retired_at = now() where retired_at is null and verify_until is not null and verify_until <= now() returning kid',
  );
  return rows.map((r) => r.kid).sort();
}

export async function listIdentityKeys(db: Queryable): Promise<IdentityKeyRecord[]> {
  const { rows } = await db.query<{ kid: string; algorithm: IdentityAlgorithm; created_at: Date; signs_from: Date; signing: boolean; verify_until: Date | null; retired_at: Date | null }>(
    'select kid, algorithm, created_at, signs_from, signs_from <= now() as signing, verify_until, retired_at from gateway.identity_keys order by created_at, kid',
  );
  return rows.map((r) => ({
    kid: r.kid,
    algorithm: r.algorithm,
    createdAt: r.created_at,
    signsFrom: r.signs_from,
    verifyUntil: r.verify_until,
    retiredAt: r.retired_at,
    state: r.retired_at ? 'retired' : r.verify_until ? 'verifying' : r.signing ? 'active' : 'published',
  }));
}

/** The published key set: every key that still verifies (active, or inside its overlap). */
export async function readIdentityKeySet(db: Queryable): Promise<JSONWebKeySet> {
  const { rows } = await db.query<{ kid: string; algorithm: IdentityAlgorithm; public_key: string }>(
    `select kid, algorithm, public_key from gateway.identity_keys
      where retired_at is null and (verify_until is null or verify_until > now())
      order by created_at desc, kid`,
  );
  return { keys: rows.map((r) => publicJwk(r.kid, r.algorithm, r.public_key)) };
}

function publicJwk(kid: string, algorithm: IdentityAlgorithm, pem: string): JWK {
  const jwk = createPublicKey(pem).export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid, alg: algorithm, use: 'sig' };
}
