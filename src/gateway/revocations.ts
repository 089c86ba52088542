/**
 * The revocations a gateway applies from memory (authority.revocations): loaded at start,
 * followed by NOTIFY on `tenantgate_revocations`, and polled every `pollIntervalMs` in case a
 * notification was lost. A request never waits on the database for them; while the database
 * is unreachable the gateway keeps the list it has.
 */
import type { Queryable } from '../db/database.ts';
import { ChannelListener } from '../db/listen.ts';
import { REVOCATION_CHANNEL, RevocationList, type RevocationRow } from '../identity/revocations.ts';

export interface LiveRevocationsOptions {
  db: Queryable;
  listenUrl: string;
  pollIntervalMs: number;
  now: () => number;
  /** `fetch`: a read failed (the list held stays in force); `listen`: no notifications (the poll alone delivers). */
  onError?: (err: unknown, what: 'fetch' | 'listen') => void;
}

// A row committed late can carry a lower id and an earlier created_at than one already seen:
// every fetch re-reads from a minute before the previous fetch (applying is idempotent), so a
// gateway cut off from the database for a while catches up on everything once it is back.
const FETCH = `with t as (select now() as at)
select t.at, r.jti, r.client_id, r.subject, r.tenant,
       (extract(epoch from r.not_before) * 1000)::float8 as not_before_ms,
       (extract(epoch from r.expires_at) * 1000)::float8 as expires_at_ms
  from t left join authority.revocations r
    on r.expires_at > t.at and ($1::timestamptz is null or r.created_at > $1::timestamptz - interval '1 minute')`;

function rowOf(r: Record<string, unknown>): RevocationRow {
  return {
    jti: r.jti as string | null,
    clientId: r.client_id as string | null,
    subject: r.subject as string | null,
    tenant: r.tenant as string | null,
    notBeforeMs: Number(r.not_before_ms),
    expiresAtMs: Number(r.expires_at_ms),
  };
}

export class LiveRevocations {
  readonly list = new RevocationList();
  private listener: ChannelListener | null = null;
  private timer: NodeJS.Timeout | null = null;
  private fetching: Promise<void> | null = null;
  private lastPrune = 0;
  /** The database's time at the last successful fetch (null: load every live row). */
  private since: Date | null = null;

  constructor(private readonly options: LiveRevocationsOptions) {}

  async start(): Promise<void> {
    await this.fetch();
    this.listener = new ChannelListener({
      url: this.options.listenUrl,
      channel: REVOCATION_CHANNEL,
      applicationName: 'tenantgate-revocations',
      onNotification: () => void this.fetchRecent(),
      onConnected: () => this.fetchRecent(),
      onError: (err) => this.options.onError?.(err, 'listen'),
    });
    await this.listener.start();
    this.timer = setInterval(() => void this.fetchRecent(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.listener?.stop();
  }

  /** Applies what was added since the last fetch (coalesces concurrent calls; errors are reported, not thrown). */
  fetchRecent(): Promise<void> {
    this.fetching ??= this.fetch()
      .catch((err) => this.options.onError?.(err, 'fetch'))
      .finally(() => {
        this.fetching = null;
      });
    return this.fetching;
  }

  private async fetch(): Promise<void> {
    const { rows } = await this.options.db.query(FETCH, [this.since]);
    this.list.apply(rows.filter((r) => r.expires_at_ms !== null).map(rowOf));
    if (rows[0]) this.since = rows[0].at as Date;
    const now = this.options.now();
    if (now - this.lastPrune > 60_000) {
      this.list.prune(now);
      this.lastPrune = now;
    }
  }
}
