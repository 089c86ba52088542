/** The assigned set A a token's caller holds *now* (CONTRACT.md §3), from the current records. */
import { assignedSet } from '../../contract/selection.ts';
import type { Queryable } from '../../db/database.ts';
import { findClient, type ClientRecord } from './clients.ts';
import { findUserById, type UserRecord } from './users.ts';

export interface CurrentAssignment {
  assigned: string[];
  client: ClientRecord;
  user: UserRecord | null;
}

/** Null when the client (or, for a user token, the user) no longer exists or is disabled. */
export async function currentAssignment(db: Queryable, clientId: string, subject: string): Promise<CurrentAssignment | null> {
  const client = await findClient(db, clientId);
  if (!client || client.disabled) return null;
  const clientAssignment = { tenant: client.tenant, tenants: client.tenants };
  if (subject === client.clientId) return { assigned: assignedSet({ grant: 'client_credentials', client: clientAssignment }), client, user: null };
  const user = await findUserById(db, subject);
  if (!user || user.disabled) return null;
  return { assigned: assignedSet({ grant: 'password', client: clientAssignment, user: { tenant: user.tenant, tenants: user.tenants } }), client, user };
}
