/**
 * The signed identity envelope the gateway attaches to every request it forwards, so a
 * module can tell a request that passed the gateway from one that bypassed it.
 *
 * Header values: envelope = base64url(JSON claims); signature = base64url(Ed25519 over the
 * envelope header value's bytes); algorithm = "EdDSA". The claims bind the key id, the
 * issue time, a short expiry, the HTTP method and the request target (path + query).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { seal, unseal } from '../crypto/sealed.ts';

export const ENVELOPE_ALGORITHM = 'EdDSA';

export interface EnvelopeIdentity {
  tenant: string | null;
  actor: string;
  client: string | null;
  scopes: readonly string[];
}

export interface EnvelopeClaims extends EnvelopeIdentity {
  v: 1;
  kid: string;
  iat: number;
  exp: number;
  method: string;
  path: string;
}

export interface SignedEnvelope {
  envelope: string;
  signature: string;
  algorithm: string;
}

export interface EnvelopeSigningKey {
  kid: string;
  privateKey: KeyObject;
}

export function signEnvelope(
  key: EnvelopeSigningKey,
  identity: EnvelopeIdentity,
  request: { method: string; path: string },
  options: { now?: Date; ttlSeconds?: number } = {},
): SignedEnvelope {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: EnvelopeClaims = {
    v: 1,
    kid: key.kid,
    iat,
    exp: iat + (options.ttlSeconds ?? 30),
    method: request.method.toUpperCase(),
    path: request.path,
    tenant: identity.tenant,
    actor: identity.actor,
    client: identity.client,
    scopes: identity.scopes,
  };
  const envelope = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = sign(null, Buffer.from(envelope), key.privateKey).toString('base64url');
  return { envelope, signature, algorithm: ENVELOPE_ALGORITHM };
}

export type EnvelopeFailure = 'missing' | 'malformed' | 'algorithm' | 'unknown_key' | 'signature' | 'expired' | 'not_yet_valid' | 'method' | 'path';

export type EnvelopeVerification = { ok: true; claims: EnvelopeClaims } | { ok: false; reason: EnvelopeFailure };

export interface EnvelopeInput {
  envelope: string | undefined;
  signature: string | undefined;
  algorithm: string | undefined;
  method: string;
  path: string;
}

/** Looks up a public key by key id (null when unknown). */
export type EnvelopeKeyLookup = (kid: string) => Promise<KeyObject | null>;

const MAX_SKEW_SECONDS = 5;

export async function verifyEnvelope(input: EnvelopeInput, lookup: EnvelopeKeyLookup, now: Date = new Date()): Promise<EnvelopeVerification> {
  if (!input.envelope || !input.signature || !input.algorithm) return { ok: false, reason: 'missing' };
  if (input.algorithm !== ENVELOPE_ALGORITHM) return { ok: false, reason: 'algorithm' };
  let claims: EnvelopeClaims;
  try {
    claims = JSON.parse(Buffer.from(input.envelope, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isClaims(claims)) return { ok: false, reason: 'malformed' };
  const key = await lookup(claims.kid);
  if (!key) return { ok: false, reason: 'unknown_key' };
  let valid = false;
  try {
    valid = verify(null, Buffer.from(input.envelope), key, Buffer.from(input.signature, 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'signature' };
  const t = Math.floor(now.getTime() / 1000);
  if (t > claims.exp + MAX_SKEW_SECONDS) return { ok: false, reason: 'expired' };
  if (t < claims.iat - MAX_SKEW_SECONDS) return { ok: false, reason: 'not_yet_valid' };
  if (claims.method !== input.method.toUpperCase()) return { ok: false, reason: 'method' };
  if (claims.path !== input.path) return { ok: false, reason: 'path' };
  return { ok: true, claims };
}

function isClaims(c: any): c is EnvelopeClaims {
  return (
    c !== null &&
    typeof c === 'object' &&
    c.v === 1 &&
    typeof c.kid === 'string' &&
    Number.isInteger(c.iat) &&
    Number.isInteger(c.exp) &&
    typeof c.method === 'string' &&
    typeof c.path === 'string' &&
    (c.tenant === null || typeof c.tenant === 'string') &&
    typeof c.actor === 'string' &&
    (c.client === null || typeof c.client === 'string') &&
    Array.isArray(c.scopes) &&
    c.scopes.every((s: unknown) => typeof s === 'string')
  );
}

/** The gateway's signing key: the newest unretired key, created on first use. */
export async function loadOrCreateEnvelopeSigningKey(db: Database, kek: string): Promise<EnvelopeSigningKey> {
  const context = (kid: string) => `tenantgate:envelope:${kid}`;
  const existing = await db.query<{ kid: string; private_key_sealed: string }>(
    'select kid, private_key_sealed from gateway.envelope_keys where retired_at is null order by created_at desc limit 1',
  );
  if (existing.rowCount) {
    const row = existing.rows[0];
    return { kid: row.kid, privateKey: createPrivateKey(unseal(row.private_key_sealed, kek, context(row.kid))) };
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const kid = `env-${randomUUID()}`;
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Two gateways starting together: the advisory lock lets exactly one create the key.
  return db.withTransaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7314004)');
    const again = await tx.query<{ kid: string; private_key_sealed: string }>(
      'select kid, private_key_sealed from gateway.envelope_keys where retired_at is null order by created_at desc limit 1',
    );
    if (again.rowCount) {
      const row = again.rows[0];
      return { kid: row.kid, privateKey: createPrivateKey(unseal(row.private_key_sealed, kek, context(row.kid))) };
    }
    await tx.query('insert into gateway.envelope_keys (kid, algorithm, public_key, private_key_sealed) values ($1, $2, $3, $4)', [
      kid,
      ENVELOPE_ALGORITHM,
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      seal(privatePem, kek, context(kid)),
    ]);
    return { kid, privateKey };
  });
}

/**
 * Public-key lookup for modules: cached; an unknown kid triggers at most one database read
 * per `cooldownMs`, so forged kids cannot hammer the database.
 */
export function envelopeKeyLookup(db: Queryable, cooldownMs = 5_000): EnvelopeKeyLookup {
  const cache = new Map<string, KeyObject>();
  const misses = new Map<string, number>();
  return async (kid) => {
    const hit = cache.get(kid);
    if (hit) return hit;
    const last = misses.get(kid) ?? 0;
    if (Date.now() - last < cooldownMs) return null;
    const { rows } = await db.query<{ public_key: string }>('select public_key from gateway.envelope_keys where kid = $1', [kid]);
    if (rows.length === 0) {
      if (misses.size > 1000) misses.clear();
      misses.set(kid, Date.now());
      return null;
    }
    const key = createPublicKey(rows[0].public_key);
    cache.set(kid, key);
    return key;
  };
}
