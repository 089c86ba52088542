/**
 * Whether a client counts as "new" for strict mode `new-clients`: created on or after the
 * policy's cut-over date. The creation time comes from the Authority's client records
 * through a small cached lookup; only requests that carry legacy tenant input ask.
 */
import type { Queryable } from '../db/database.ts';
import { cutoverStartMs } from '../contract/strict-mode.ts';

export interface ClientAgeOptions {
  db: Queryable;
  /** ISO date (UTC) of the cut-over; unset means no client is known to be old (all strict). */
  cutover: string | undefined;
  ttlMs?: number;
  maxEntries?: number;
  onError?: (err: unknown) => void;
}

export class ClientAgeLookup {
  private readonly cache = new Map<string, { createdAt: number | null; fetchedAt: number }>();
  private readonly cutoverMs: number | null;

  constructor(private readonly options: ClientAgeOptions) {
    this.cutoverMs = options.cutover === undefined ? null : cutoverStartMs(options.cutover);
  }

  /** true = new, false = created before the cut-over, null = unknown (callers treat as new). */
  async isNew(clientId: string): Promise<boolean | null> {
    if (this.cutoverMs === null) return null;
    const createdAt = await this.createdAt(clientId);
    return createdAt === null ? null : createdAt >= this.cutoverMs;
  }

  private async createdAt(clientId: string): Promise<number | null> {
    const hit = this.cache.get(clientId);
    if (hit && Date.now() - hit.fetchedAt < (this.options.ttlMs ?? 60_000)) return hit.createdAt;
    try {
      const { rows } = await this.options.db.query<{ created_at: Date }>('select created_at from authority.clients where client_id = $1', [clientId]);
      const createdAt = rows.length > 0 ? new Date(rows[0].created_at).getTime() : null;
      if (this.cache.size >= (this.options.maxEntries ?? 10_000)) this.cache.clear();
      this.cache.set(clientId, { createdAt, fetchedAt: Date.now() });
      return createdAt;
    } catch (err) {
      // Database away: a stale answer beats none; no answer at all means "unknown".
      this.options.onError?.(err);
      return hit ? hit.createdAt : null;
    }
  }
}
