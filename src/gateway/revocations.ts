/**
 * The revocations a gateway applies from memory (authority.revocations): loaded at start,
 * followed by NOTIFY on `tenantgate_revocations`, and polled every `pollIntervalMs` in case a
 * notification was lost. A request never waits on the database for them; while the database
 * is unreachable the gateway keeps the list it has.
 */
import type { Queryable } from '../db/database.ts';
import { ChannelListener } from '../db/listen.ts';

export const REVOCATION_CHANNEL = 'tenantgate_revocations';

export interface RevocationRow {
  jti: string | null;
  clientId: string | null;
  subject: string | null;
  tenant: string | null;
  notBeforeMs: number;
  expiresAtMs: number;
}

/** What a revocation is checked against: a verified token. */
export interface RevocableIdentity {
  tokenId?: string | null;
  /** When the token was issued (ms); unknown counts as issued before every rule. */
  issuedAtMs?: number;
  clientId: string;
  subject: string;
  tenant: string | null;
  /** Considered when `tenant` is null (a legacy `tid` claim). */
  legacyTenant?: string | null;
}

const key = (client: string | null, subject: string | null, tenant: string | null) => `${client ?? '*'}\u0000${subject ?? '*'}\u0000${tenant ?? '*'}`;

/** Pure state: which tokens are revoked. `generation` changes whenever the answer might. */
export class RevocationList {
  private readonly jtis = new Map<string, number>();
  private readonly rules = new Map<string, { notBeforeMs: number; expiresAtMs: number }>();
  private gen = 0;

  get generation(): number {
    return this.gen;
  }

  get size(): number {
    return this.jtis.size + this.rules.size;
  }

  /** Idempotent: applying a row again changes nothing. */
  apply(rows: readonly RevocationRow[]): void {
    let changed = false;
    for (const r of rows) {
      if (r.jti !== null) {
        if (!this.jtis.has(r.jti)) {
          this.jtis.set(r.jti, r.expiresAtMs);
          changed = true;
        }
        continue;
      }
      if (r.clientId === null && r.subject === null) continue;
      const k = key(r.clientId, r.subject, r.tenant);
      const had = this.rules.get(k);
      if (!had || had.notBeforeMs < r.notBeforeMs) {
        this.rules.set(k, { notBeforeMs: r.notBeforeMs, expiresAtMs: Math.max(r.expiresAtMs, had?.expiresAtMs ?? 0) });
        changed = true;
      }
    }
    if (changed) this.gen++;
  }

  /** Forgets what no live token can be covered by any more. */
  prune(nowMs: number): void {
    for (const [jti, exp] of this.jtis) if (exp <= nowMs) this.jtis.delete(jti);
    for (const [k, rule] of this.rules) if (rule.expiresAtMs <= nowMs) this.rules.delete(k);
  }

  revokes(t: RevocableIdentity): boolean {
    if (this.jtis.size > 0 && t.tokenId && this.jtis.has(t.tokenId)) return true;
    if (this.rules.size === 0) return false;
    const issued = t.issuedAtMs ?? 0;
    const selected = t.tenant ?? t.legacyTenant ?? null;
    for (const client of [t.clientId, null]) {
      for (const subject of [t.subject, null]) {
        if (client === null && subject === null) continue;
        for (const tenant of selected === null ? [null] : [selected, null]) {
          const rule = this.rules.get(key(client, subject, tenant));
          if (rule && issued < rule.notBeforeMs) return true;
        }
      }
    }
    return false;
  }
}

export interface LiveRevocationsOptions {
  db: Queryable;
  listenUrl: string;
  pollIntervalMs: number;
  now: () => number;
  onError?: (err: unknown) => void;
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
      onError: this.options.onError,
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
      .catch((err) => this.options.onError?.(err))
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
