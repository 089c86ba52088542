/**
 * Client secrets: 256 random bits, stored as a SHA-256 digest. A digest (not scrypt) is
 * enough for a generated high-entropy secret and keeps issuance cheap; the comparison is
 * constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateClientSecret(): string {
  return `tgs_${randomBytes(32).toString('base64url')}`;
}

export function digestClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function clientSecretMatches(secret: string, digest: string | null): boolean {
  if (digest === null) return false;
  const presented = Buffer.from(digestClientSecret(secret), 'hex');
  const stored = Buffer.from(digest, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
