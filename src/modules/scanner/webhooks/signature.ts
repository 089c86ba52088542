/**
 * Webhook payload signatures in the GitHub style: header `X-Hub-Signature-256:
 * sha256=<hex HMAC-SHA256 of the raw body>`. Comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** The 32-byte MAC a header carries, or null when the header is malformed. */
export function parseSignatureHeader(value: string): Buffer | null {
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  return m ? Buffer.from(m[1], 'hex') : null;
}

export function signPayload(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function signatureMatches(secret: string, body: Buffer, mac: Buffer): boolean {
  const expected = createHmac('sha256', secret).update(body).digest();
  return mac.length === expected.length && timingSafeEqual(expected, mac);
}
