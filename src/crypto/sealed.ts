/** Private keys at rest: AES-256-GCM under the configured key-encryption key. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

function kekBytes(kek: string): Buffer {
  const key = Buffer.from(kek, 'base64url');
  if (key.length !== 32) throw new Error('secrets.keyEncryptionKey must be 32 bytes, base64url-encoded');
  return key;
}

/** Returns `v1.<iv>.<tag>.<ciphertext>` (base64url parts); `context` is bound as AAD. */
export function seal(plaintext: string, kek: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kekBytes(kek), iv);
  cipher.setAAD(Buffer.from(context));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

export function unseal(sealed: string, kek: string, context: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('sealed value has an unknown format');
  const decipher = createDecipheriv('aes-256-gcm', kekBytes(kek), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
