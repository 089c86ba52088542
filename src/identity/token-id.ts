/**
 * Access-token ids (`jti`) are UUIDv7 (RFC 9562 §5.7): their first 48 bits are the issue time
 * in milliseconds. A revocation "every token issued before T" can then be applied to the
 * millisecond — `iat` has whole seconds only, so a token issued just after a revocation, in
 * the same second, would otherwise be refused too. Node.js 20 has no UUIDv7 generator, and
 * the `uuid` package would be a dependency for these few lines.
 */
import { randomBytes } from 'node:crypto';

export function newTokenId(nowMs: number = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(nowMs, 0, 6);
  b[6] = 0x70 | (b[6] & 0x0f); // version 7
  b[8] = 0x80 | (b[8] & 0x3f); // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * When the token was issued, in milliseconds: from a UUIDv7 `jti` that agrees with `iat`
 * (same second), else the start of `iat`'s second (a token from before UUIDv7 ids, or a jti
 * that disagrees with its iat, is taken as issued as early as it can have been).
 */
export function issuedAtMs(jti: string | null | undefined, iatSeconds: number): number {
  const floor = iatSeconds * 1000;
  if (typeof jti === 'string' && V7.test(jti)) {
    const ms = parseInt(jti.slice(0, 8) + jti.slice(9, 13), 16);
    if (ms >= floor && ms < floor + 1000) return ms;
  }
  return floor;
}
