/**
 * Decides which tenant a webhook delivery belongs to — exactly the one whose secret verifies
 * the signature, never two and never a guess:
 *
 * - no signature, delivery id or timestamp, or a timestamp outside the window → 401, decided
 *   before any registration is looked at;
 * - a signature: every candidate tenant's secret is checked (each inside its own
 *   withTenant, all of them); exactly one match → that tenant; none → 401; more than one
 *   (two tenants chose the same secret) → `tenant_missing`, since the delivery cannot tell
 *   them apart (only a holder of that secret can see this answer).
 *
 * Every 401 is one answer (`UNVERIFIED`), whether no tenant, one or several registered the
 * source name: the answer to a delivery that does not verify reveals no registration.
 */
import type { Database } from '../../../db/database.ts';
import { readWebhookSecret, webhookCandidateTenants } from '../store/webhook-source-store.ts';
import { DELIVERY_WINDOW_SECONDS, parseDeliveryId, parseSignatureHeader, parseTimestamp, signatureMatches, type DeliveryStamp } from './signature.ts';

export const UNVERIFIED = 'the delivery could not be verified: it needs X-Hub-Signature-256, Webhook-Id and a current Webhook-Timestamp, signed with the secret of a registered source';

export type WebhookRouting =
  | { ok: true; tenant: string; stamp: DeliveryStamp }
  | { ok: false; code: 'unauthorized' | 'tenant_missing'; detail: string; outcome: 'unsigned' | 'stale' | 'unverified' | 'ambiguous' };

export interface WebhookDelivery {
  provider: string;
  sourceName: string;
  signature: string | undefined;
  deliveryId: string | undefined;
  timestamp: string | undefined;
  body: Buffer;
}

export async function routeWebhookEvent(db: Database, kek: string, delivery: WebhookDelivery, nowMs: number): Promise<WebhookRouting> {
  const mac = delivery.signature === undefined ? null : parseSignatureHeader(delivery.signature);
  const id = delivery.deliveryId === undefined ? null : parseDeliveryId(delivery.deliveryId);
  const timestamp = delivery.timestamp === undefined ? null : parseTimestamp(delivery.timestamp);
  if (mac === null || id === null || timestamp === null) return { ok: false, code: 'unauthorized', detail: UNVERIFIED, outcome: 'unsigned' };
  if (Math.abs(nowMs / 1000 - timestamp) > DELIVERY_WINDOW_SECONDS) return { ok: false, code: 'unauthorized', detail: UNVERIFIED, outcome: 'stale' };
  const stamp = { id, timestamp };
  const candidates = await webhookCandidateTenants(db, delivery.provider, delivery.sourceName);
  const verified: string[] = [];
  for (const tenant of candidates) {
    const secret = await db.withTenant(tenant, (c) => readWebhookSecret(c, kek, tenant, delivery.provider, delivery.sourceName));
    if (secret !== null && signatureMatches(secret, stamp, delivery.body, mac)) verified.push(tenant);
  }
  if (verified.length === 1) return { ok: true, tenant: verified[0], stamp };
  if (verified.length > 1) return { ok: false, code: 'tenant_missing', detail: 'the signature verifies for more than one tenant; refusing to guess', outcome: 'ambiguous' };
  return { ok: false, code: 'unauthorized', detail: UNVERIFIED, outcome: 'unverified' };
}
