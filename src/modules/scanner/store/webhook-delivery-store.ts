/**
 * The delivery ids a tenant's webhook sources already delivered (replay protection). Only
 * verified deliveries are recorded, inside the tenant's own transaction, so an unverified
 * sender can neither fill the table nor learn what it holds.
 */
import type { TenantTx } from '../../../db/database.ts';

/**
 * Records the delivery; false when this source already delivered that id. Rows whose
 * timestamp has left the window go first: the timestamp check refuses those deliveries.
 */
export async function claimWebhookDelivery(
  db: TenantTx,
  delivery: { provider: string; sourceName: string; deliveryId: string; expiresAt: Date; now: Date },
): Promise<boolean> {
  await db.query('delete from scanner.webhook_deliveries where tenant_id = $1 and expires_at < $2', [db.tenant, delivery.now]);
  const { rowCount } = await db.query(
    `insert into scanner.webhook_deliveries (tenant_id, provider, source_name, delivery_id, expires_at) values ($1, $2, $3, $4, $5)
     on conflict do nothing`,
    [db.tenant, delivery.provider, delivery.sourceName, delivery.deliveryId, delivery.expiresAt],
  );
  return rowCount === 1;
}
