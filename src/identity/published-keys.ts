/**
 * The Authority's public signing keys as it publishes them in PostgreSQL (the view
 * `authority.published_keys`, migration 0060): the same set its JWKS serves over HTTP,
 * without the sealed private keys. Verifiers read it when the Authority is unreachable.
 */
import type { JSONWebKeySet, JWK } from 'jose';
import type { Queryable } from '../db/database.ts';

export async function readPublishedKeySet(db: Queryable): Promise<JSONWebKeySet> {
  const { rows } = await db.query<{ public_jwk: JWK }>('select public_jwk from authority.published_keys order by created_at desc, kid');
  return { keys: rows.map((r) => r.public_jwk) };
}
