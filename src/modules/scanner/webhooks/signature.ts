/**
 * Webhook delivery signatures. The header keeps the GitHub shape — `X-Hub-Signature-256:
 * sha256=<hex HMAC-SHA256>` — and the signed content carries the delivery's id and
 * timestamp ahead of the raw body, as Standard Webhooks does:
 *
 *   HMAC-SHA256(secret, "<Webhook-Id>.<Webhook-Timestamp>.<raw body bytes>")
 *
 * so neither can be changed, nor a captured delivery replayed later, without the secret.
 * Comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
export const DELIVERY_ID_HEADER = 'webhook-id';
export const TIMESTAMP_HEADER = 'webhook-timestamp';

/** How far a delivery's timestamp may lie from the receiver's clock, either way. */
export const DELIVERY_WINDOW_SECONDS = 300;

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;

/** The 32-byte MAC a header carries, or null when the header is malformed. */
export function parseSignatureHeader(value: string): Buffer | null {
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  return m ? Buffer.from(m[1], 'hex') : null;
}

export function parseDeliveryId(value: string): string | null {
  return DELIVERY_ID.test(value) ? value : null;
}

/** Unix seconds, or null when the header is not a plain decimal number. */
export function parseTimestamp(value: string): number | null {
  return TIMESTAMP.test(value) ? Number(value) : null;
}

export interface DeliveryStamp {
  id: string;
  /** Unix seconds. */
  timestamp: number;
}

function mac(secret: string, stamp: DeliveryStamp, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${stamp.id}.${stamp.timestamp}.`).update(body).digest();
}

/** The `X-Hub-Signature-256` value for a delivery. */
export function signDelivery(secret: string, stamp: DeliveryStamp, body: Buffer | string): string {
  return `sha256=${mac(secret, stamp, body).toString('hex')}`;
}

/** The three headers a sender sets. */
export function deliveryHeaders(secret: string, stamp: DeliveryStamp, body: Buffer | string): Record<string, string> {
  return { 'X-Hub-Signature-256': signDelivery(secret, stamp, body), 'Webhook-Id': stamp.id, 'Webhook-Timestamp': String(stamp.timestamp) };
}

export function signatureMatches(secret: string, stamp: DeliveryStamp, body: Buffer, presented: Buffer): boolean {
  const expected = mac(secret, stamp, body);
  return presented.length === expected.length && timingSafeEqual(expected, presented);
}
