/**
 * Signing keys in PostgreSQL: the private key sealed under the key-encryption key, the
 * public JWK in clear. Rotation retires the current key; a retired key stays published
 * until every token it signed has expired.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose';
import { seal, unseal } from '../../crypto/sealed.ts';
import type { Database, Queryable, Tx } from '../../db/database.ts';

export type SigningAlgorithm = 'EdDSA' | 'ES256';

export interface SigningKey {
  kid: string;
  algorithm: SigningAlgorithm;
  privateKey: CryptoKey;
}

export interface PublishedKey {
  kid: string;
  algorithm: SigningAlgorithm;
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

async function insertKey(db: Queryable, kek: string, algorithm: SigningAlgorithm): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true, ...(algorithm === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const kid = `${algorithm === 'EdDSA' ? 'ed' : 'es'}-${randomUUID()}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  const pem = await exportPKCS8(privateKey);
  await db.query('insert into authority.signing_keys (kid, algorithm, public_jwk, private_key_sealed) values ($1, $2, $3, $4)', [
    kid,
    algorithm,
    JSON.stringify(jwk),
    seal(pem, kek, sealContext(kid)),
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

/** The current signing key; creates one (of `algorithm`) when none is active. Safe for concurrent starters. */
export async function loadOrCreateSigningKey(db: Database, kek: string, algorithm: SigningAlgorithm): Promise<SigningKey> {
  const current = await loadActiveKey(db, kek);
  if (current) return current;
  await inTransaction(db, async (db) => {
    const again = await db.query('select 1 from authority.signing_keys where retired_at is null');
    if (!again.rowCount) await insertKey(db, kek, algorithm);
  });
  const created = await loadActiveKey(db, kek);
  if (!created) throw new Error('no active signing key after creating one');
  return created;
}

export async function loadActiveKey(db: Queryable, kek: string): Promise<SigningKey | null> {
  const { rows } = await db.query<{ kid: string; algorithm: SigningAlgorithm; private_key_sealed: string }>(
    'select kid, algorithm, private_key_sealed from authority.signing_keys where retired_at is null order by created_at desc, kid limit 1',
  );
  if (!rows[0]) return null;
  const { kid, algorithm, private_key_sealed } = rows[0];
  return { kid, algorithm, privateKey: await importPKCS8(unseal(private_key_sealed, kek, sealContext(kid)), algorithm) };
}

/** Keys the JWKS serves: the active ones and retired ones whose tokens may still be valid. */
export async function loadPublishedKeys(db: Queryable): Promise<PublishedKey[]> {
  // The published view (migration 0060) is the one definition of "published", shared with
  // verifiers that read it directly.
  const { rows } = await db.query('select kid, algorithm, public_jwk, created_at, retired_at, publish_until from authority.published_keys order by created_at desc, kid');
  return rows.map(toPublished);
}

export async function listSigningKeys(db: Queryable): Promise<PublishedKey[]> {
  const { rows } = await db.query('select kid, algorithm, public_jwk, created_at, retired_at, publish_until from authority.signing_keys order by created_at desc, kid');
  return rows.map(toPublished);
}

function toPublished(r: any): PublishedKey {
  return {
    kid: r.kid,
    algorithm: r.algorithm,
    jwk: r.public_jwk,
    createdAt: new Date(r.created_at).toISOString(),
    retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : null,
    publishUntil: r.publish_until ? new Date(r.publish_until).toISOString() : null,
  };
}

/** Makes a new key current and retires the others, keeping them published for `tokenTtlSeconds` plus a margin. */
export async function rotateSigningKey(db: Database, kek: string, algorithm: SigningAlgorithm, tokenTtlSeconds: number): Promise<{ kid: string; retired: string[] }> {
  return inTransaction(db, async (db) => {
    const retired = await db.query<{ kid: string }>(
      `update authority.signing_keys set retired_at = now(), publish_until = now() + make_interval(secs => $1)
        where retired_at is null returning kid`,
      [tokenTtlSeconds + RETIREMENT_MARGIN_SECONDS],
    );
    const kid = await insertKey(db, kek, algorithm);
    return { kid, retired: retired.rows.map((r) => r.kid) };
  });
}
