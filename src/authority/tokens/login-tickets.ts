/**
 * Single use of the sign-in form's sealed tickets (the tenant choice). The ticket itself is
 * stateless and sealed; what must be shared by every Authority instance is only the fact
 * that it was used, kept until the ticket expires.
 */
import type { Queryable } from '../../db/database.ts';

/** Marks the ticket used; false when it was used before. */
export async function consumeLoginTicket(db: Queryable, ticketId: string, expiresAt: Date): Promise<boolean> {
  await db.query('delete from authority.used_login_tickets where expires_at < now()');
  const { rowCount } = await db.query('insert into authority.used_login_tickets (ticket_id, expires_at) values ($1, $2) on conflict do nothing', [ticketId, expiresAt]);
  return rowCount === 1;
}
