/**
 * Decides which tenant a webhook delivery belongs to — exactly the one whose secret verifies
 * the signature, never two and never a guess:
 *
 * - no signature: several tenants share the name → `tenant_missing` (400); otherwise → 401;
 * - a signature: every candidate tenant's secret is checked (each inside its own
 *   withTenant, all of them, so timing does not reveal which one matched); exactly one
 *   match → that tenant; none → 401; more than one (two tenants chose the same secret) →
 *   `tenant_missing`, since the delivery cannot tell them apart.
 */
import type { Database } from '../../../db/database.ts';
import { readWebhookSecret, webhookCandidateTenants } from '../store/webhook-source-store.ts';
import { parseSignatureHeader, signatureMatches } from './signature.ts';

export type WebhookRouting =
  | { ok: true; tenant: string }
  | { ok: false; code: 'unauthorized' | 'tenant_missing'; detail: string };

export async function routeWebhookEvent(
  db: Database,
  kek: string,
  delivery: { provider: string; sourceName: string; signature: string | undefined; body: Buffer },
): Promise<WebhookRouting> {
  const candidates = await webhookCandidateTenants(db, delivery.provider, delivery.sourceName);
  if (delivery.signature === undefined) {
    if (candidates.length > 1) {
      return { ok: false, code: 'tenant_missing', detail: 'several tenants registered this source and the delivery carries no signature to tell them apart' };
    }
    return { ok: false, code: 'unauthorized', detail: 'the delivery carries no signature' };
  }
  const mac = parseSignatureHeader(delivery.signature);
  if (!mac) return { ok: false, code: 'unauthorized', detail: 'the signature header is malformed (expected sha256=<64 hex>)' };
  const verified: string[] = [];
  for (const tenant of candidates) {
    const secret = await db.withTenant(tenant, (c) => readWebhookSecret(c, kek, tenant, delivery.provider, delivery.sourceName));
    if (secret !== null && signatureMatches(secret, delivery.body, mac)) verified.push(tenant);
  }
  if (verified.length === 1) return { ok: true, tenant: verified[0] };
  if (verified.length > 1) return { ok: false, code: 'tenant_missing', detail: 'the signature verifies for more than one tenant; refusing to guess' };
  return { ok: false, code: 'unauthorized', detail: 'no registered source verifies the signature' };
}
