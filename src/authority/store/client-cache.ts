/**
 * A brief per-instance cache of client records: issuance reads the client on every request,
 * and a few seconds of staleness after an admin change on another instance is acceptable
 * (changes made through this instance invalidate at once).
 */
import type { Queryable } from '../../db/database.ts';
import { findClient, type ClientRecord } from './clients.ts';

export class ClientCache {
  private entries = new Map<string, { record: ClientRecord; until: number }>();

  constructor(
    private readonly db: Queryable,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async get(clientId: string): Promise<ClientRecord | null> {
    const now = Date.now();
    const hit = this.entries.get(clientId);
    if (hit && hit.until > now) return hit.record;
    const record = await findClient(this.db, clientId);
    if (record && this.ttlMs > 0) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(clientId, { record, until: now + this.ttlMs });
    } else {
      this.entries.delete(clientId);
    }
    return record;
  }

  invalidate(clientId?: string): void {
    if (clientId === undefined) this.entries.clear();
    else this.entries.delete(clientId);
  }
}
