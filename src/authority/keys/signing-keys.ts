/**
 * Signing keys in PostgreSQL: the private key sealed under the key-encryption key, the
 * public JWK in clear. Rotation retires the current key; a retired key stays published
 * until every token it signed has expired.
 *
 * Two purposes, one current key each: `access` (access tokens, EdDSA or ES256, the
 * configured `authority.signingAlgorithm`) and `id_token` (ID tokens, RS256: OpenID
 * Connect's default algorithm, migration 0100).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose';
import { seal, unseal } from '../../crypto/sealed.ts';
import type { Database, Queryable, Tx } from '../../db/database.ts';

/** Access-token algorithms. */
export type SigningAlgorithm = 'EdDSA' | 'ES256';
/** Every algorithm a key of this table may have: the access-token ones and RS256 for ID tokens. */
export type KeyAlgorithm = SigningAlgorithm | 'RS256';
export type KeyPurpose = 'access' | 'id_token';
export const ID_TOKEN_KEY_ALGORITHM = 'RS256';

export interface SigningKey<A extends KeyAlgorithm = SigningAlgorithm> {
  kid: string;
  algorithm: A;
  privateKey: CryptoKey;
}

export interface PublishedKey {
  kid: string;
  algorithm: KeyAlgorithm;
  purpose: KeyPurpose;
  jwk: JWK;
  createdAt: string;
  retiredAt: string | null;
  publishUntil: string | null;
}

/**
 * Seconds a retired key stays published beyond the access-token lifetime: covers instances
 * that keep signing with it until their next key refresh, plus clock skew.
 */
export const RETIREMENT_MARGIN_SECONDS = 120;
const KEY_LOCK = 7_314_010;

const sealContext = (kid: string) => `tenantgate:authority-signing-key:${kid}`;

const KID_PREFIX: Record<KeyAlgorithm, string> = { EdDSA: 'ed', ES256: 'es', RS256: 'rs' };

function purposeOf(algorithm: KeyAlgorithm): KeyPurpose {
  return algorithm === ID_TOKEN_KEY_ALGORITHM ? 'id_token' : 'access';
}

async function insertKey(db: Queryable, kek: string, algorithm: KeyAlgorithm): Promise<string> {
  const options = algorithm === 'EdDSA' ? { crv: 'Ed25519' } : algorithm === 'RS256' ? { modulusLength: 2048 } : {};
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true, ...options });
  const kid = `${KID_PREFIX[algorithm]}-${randomUUID()}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  const pem = await exportPKCS8(privateKey);
  await db.query('insert into authority.signing_keys (kid, algorithm, public_jwk, private_key_sealed, purpose) values ($1, $2, $3, $4, $5)', [
    kid,
    algorithm,
    JSON.stringify(jwk),
    seal(pem, kek, sealContext(kid)),
    purposeOf(algorithm),
  ]);
  return kid;
}

/** A transaction holding the key lock: one creator or rotator at a time across instances. */
async function inTransaction<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.withTransaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [KEY_LOCK]);
    return fn(tx);
  });
}

async function loadOrCreate<A extends KeyAlgorithm>(db: Database, kek: string, purpose: KeyPurpose, algorithm: A): Promise<SigningKey<A>> {
  const current = await loadActive(db, kek, purpose);
  if (current) return current as SigningKey<A>;
  await inTransaction(db, async (db) => {
    const again = await db.query('select 1 from authority.signing_keys where retired_at is null and purpose = $1', [purpose]);
    if (!again.rowCount) await insertKey(db, kek, algorithm);
  });
  const created = await loadActive(db, kek, purpose);
  if (!created) throw new Error(`no active ${purpose} signing key after creating one`);
  return created as SigningKey<A>;
}

/** The current access-token signing key; creates one (of `algorithm`) when none is active. Safe for concurrent starters. */
export function loadOrCreateSigningKey(db: Database, kek: string, algorithm: SigningAlgorithm): Promise<SigningKey> {
  return loadOrCreate(db, kek, 'access', algorithm);
}

/** The current ID-token signing key (RS256); creates one when none is active. */
export function loadOrCreateIdTokenKey(db: Database, kek: string): Promise<SigningKey<'RS256'>> {
  return loadOrCreate(db, kek, 'id_token', ID_TOKEN_KEY_ALGORITHM);
}

async function loadActive(db: Queryable, kek: string, purpose: KeyPurpose): Promise<SigningKey<KeyAlgorithm> | null> {
  const { rows } = await db.query<{ kid: string; algorithm: KeyAlgorithm; private_key_sealed: string }>(
    'select kid, algorithm, private_key_sealed from authority.signing_keys where retired_at is null and purpose = $1 order by created_at desc, kid limit 1',
    [purpose],
  );
  if (!rows[0]) return null;
  const { kid, algorithm, private_key_sealed } = rows[0];
  return { kid, algorithm, privateKey: await importPKCS8(unseal(private_key_sealed, kek, sealContext(kid)), algorithm) };
}

/** The current access-token signing key, or null. */
export async function loadActiveKey(db: Queryable, kek: string): Promise<SigningKey | null> {
  return (await loadActive(db, kek, 'access')) as SigningKey | null;
}

/** The current ID-token signing key, or null. */
export async function loadActiveIdTokenKey(db: Queryable, kek: string): Promise<SigningKey<'RS256'> | null> {
  return (await loadActive(db, kek, 'id_token')) as SigningKey<'RS256'> | null;
}

/** Keys the JWKS serves: the active ones and retired ones whose tokens may still be valid. */
export async function loadPublishedKeys(db: Queryable): Promise<PublishedKey[]> {
  // The published view (migration 0060) is the one definition of "published", shared with
  // verifiers that read it directly.
  const { rows } = await db.query('select kid, algorithm, public_jwk, created_at, retired_at, publish_until from authority.published_keys order by created_at desc, kid');
  return rows.map(toPublished);
}

export async function listSigningKeys(db: Queryable): Promise<PublishedKey[]> {
  const { rows } = await db.query('select kid, algorithm, purpose, public_jwk, created_at, retired_at, publish_until from authority.signing_keys order by created_at desc, kid');
  return rows.map(toPublished);
}

function toPublished(r: any): PublishedKey {
  return {
    kid: r.kid,
    algorithm: r.algorithm,
    // The published view (0060) has no purpose column: the algorithm tells (RS256 is ID tokens' alone).
    purpose: r.purpose ?? purposeOf(r.algorithm),
    jwk: r.public_jwk,
    createdAt: new Date(r.created_at).toISOString(),
    retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : null,
    publishUntil: r.publish_until ? new Date(r.publish_until).toISOString() : null,
  };
}

/**
 * Makes a new key current and retires the others of its purpose (access tokens for EdDSA and
 * ES256, ID tokens for RS256), keeping them published for `tokenTtlSeconds` plus a margin.
 */
export async function rotateSigningKey(db: Database, kek: string, algorithm: KeyAlgorithm, tokenTtlSeconds: number): Promise<{ kid: string; retired: string[] }> {
  return inTransaction(db, async (db) => {
    const retired = await db.query<{ kid: string }>(
      `update authority.signing_keys set retired_at = now(), publish_until = now() + make_interval(secs => $1)
        where retired_at is null and purpose = $2 returning kid`,
      [tokenTtlSeconds + RETIREMENT_MARGIN_SECONDS, purposeOf(algorithm)],
    );
    const kid = await insertKey(db, kek, algorithm);
    return { kid, retired: retired.rows.map((r) => r.kid) };
  });
}
