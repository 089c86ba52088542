/**
 * Brute-force resistance for sign-ins and client authentications, shared by every Authority
 * instance through `authority.authentication_failures`.
 *
 * Hot path: whether a subject (username, client id, client address) is locked out is answered
 * from memory — no query. Each instance mirrors the table incrementally (rows changed since its
 * last read, every `syncIntervalMs`), so a lockout imposed by another instance holds here within
 * that interval. A failure is one upsert (all its subjects in one statement) whose answer is
 * authoritative; a success deletes the account's row only when a failure is known for it.
 *
 * Subjects are stored as SHA-256 digests: the table never holds hostile input as sent, and its
 * size is bounded by the address limit (one address can add at most `maxFailuresPerAddress`
 * rows per window before it is locked out itself).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../../config/schema.ts';
import type { Database } from '../../db/database.ts';
import type { AuditEvent } from '../../telemetry/audit.ts';

export type ThrottleScope = 'user' | 'client' | 'address';

export interface ThrottleSubject {
  scope: ThrottleScope;
  /** The username, client id or address as presented. */
  value: string;
}

type Settings = Config['authority']['bruteForce'];

interface Known {
  /** Epoch ms until which the subject is locked out (0: not locked). */
  lockedUntil: number;
  /** The table holds a failure record for the subject (as of the last read or write). */
  failing: boolean;
}

/** Keys mirrored per instance; past it the mirror starts afresh from the table. */
const MAX_KNOWN = 200_000;
/** Rows committed slightly out of `updated_at` order are read again, never missed. */
const SYNC_OVERLAP_MS = 2_000;
const PURGE_EVERY_MS = 60_000;

/** Usernames and client ids as the audit log may show them: well-formed ones only. */
const SHOWABLE = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;

export function subjectDigest(subject: ThrottleSubject): string {
  const value = subject.scope === 'user' ? subject.value.toLowerCase() : subject.value;
  return createHash('sha256').update(subject.scope).update('\u0000').update(value).digest('hex');
}

export class AuthenticationThrottle {
  private readonly known = new Map<string, Known>();
  private since: Date | null = null;
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private lastPurge = 0;

  constructor(
    private readonly db: Database,
    private readonly settings: Settings,
    private readonly audit: (event: AuditEvent) => void,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    await this.sync().catch(this.onError);
    this.timer = setInterval(() => void this.sync().catch(this.onError), this.settings.syncIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Seconds until every lockout among `subjects` ends, or 0 when none is locked. From memory. */
  retryAfter(subjects: readonly ThrottleSubject[]): number {
    const now = this.now();
    let until = 0;
    for (const s of subjects) {
      const k = this.known.get(key(s.scope, subjectDigest(s)));
      if (k !== undefined && k.lockedUntil > now && k.lockedUntil > until) until = k.lockedUntil;
    }
    return until === 0 ? 0 : Math.max(1, Math.ceil((until - now) / 1000));
  }

  /**
   * Records one failure for each subject; returns the seconds of the lockout it imposed (or that
   * holds), 0 when none. Lockouts it imposes are audited.
   */
  async failed(subjects: readonly ThrottleSubject[], context: { client?: string | null; reason: string }): Promise<number> {
    if (subjects.length === 0) return 0;
    const digests = subjects.map(subjectDigest);
    const { rows } = await this.db.query(
      `insert into authority.authentication_failures as f (scope, subject, failures, window_started, locked_until, updated_at)
       select u.scope, u.subject, 1, now(),
              case when 1 >= (case u.scope when 'address' then $4::int else $3::int end) then now() + make_interval(secs => $5) end, clock_timestamp()
         from unnest($1::text[], $2::text[]) as u(scope, subject)
       on conflict (scope, subject) do update set
         failures = case when f.locked_until > now() then f.failures
                         when f.locked_until is not null or f.window_started <= now() - make_interval(secs => $6) then 1
                         else f.failures + 1 end,
         window_started = case when f.locked_until > now() then f.window_started
                               when f.locked_until is not null or f.window_started <= now() - make_interval(secs => $6) then now()
                               else f.window_started end,
         locked_until = case when f.locked_until > now() then f.locked_until
                             when (case when f.locked_until is not null or f.window_started <= now() - make_interval(secs => $6) then 1 else f.failures + 1 end)
                                  >= (case f.scope when 'address' then $4::int else $3::int end)
                               then now() + make_interval(secs => $5)
                             end,
         updated_at = clock_timestamp()
       returning scope, subject, failures, (extract(epoch from locked_until) * 1000)::float8 as locked_until_ms`,
      [subjects.map((s) => s.scope), digests, this.settings.maxFailures, this.settings.maxFailuresPerAddress, this.settings.lockoutSeconds, this.settings.windowSeconds],
    );
    const now = this.now();
    let until = 0;
    for (const row of rows as { scope: ThrottleScope; subject: string; failures: number; locked_until_ms: number | null }[]) {
      const lockedUntil = row.locked_until_ms ?? 0;
      const k = key(row.scope, row.subject);
      const before = this.known.get(k);
      this.remember(k, { lockedUntil, failing: true });
      if (lockedUntil > now) {
        until = Math.max(until, lockedUntil);
        if (!(before && before.lockedUntil === lockedUntil)) {
          const subject = subjects[digests.indexOf(row.subject)] as ThrottleSubject;
          this.audit({
            type: 'authority.authentication.locked_out',
            outcome: 'denied',
            actor: subject.scope === 'user' && SHOWABLE.test(subject.value) ? subject.value : null,
            client: subject.scope === 'client' && SHOWABLE.test(subject.value) ? subject.value : (context.client ?? null),
            properties: {
              scope: row.scope,
              subject: subject.scope === 'address' || SHOWABLE.test(subject.value) ? subject.value : `sha256:${row.subject}`,
              failures: row.failures,
              lockedUntil: new Date(lockedUntil).toISOString(),
              reason: context.reason,
            },
          });
        }
      }
    }
    return until === 0 ? 0 : Math.max(1, Math.ceil((until - now) / 1000));
  }

  /** A success: the account subjects' failure records go (one delete, only when one is known). */
  async succeeded(subjects: readonly ThrottleSubject[]): Promise<void> {
    const failing: { scope: ThrottleScope; digest: string }[] = [];
    for (const s of subjects) {
      if (s.scope === 'address') continue;
      const digest = subjectDigest(s);
      const k = this.known.get(key(s.scope, digest));
      if (k?.failing) failing.push({ scope: s.scope, digest });
    }
    if (failing.length === 0) return;
    await this.db.query('delete from authority.authentication_failures where (scope, subject) in (select * from unnest($1::text[], $2::text[]))', [
      failing.map((f) => f.scope),
      failing.map((f) => f.digest),
    ]);
    for (const f of failing) this.known.delete(key(f.scope, f.digest));
  }

  /** Reads the rows changed since the last read (all rows the first time). */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const since = this.since === null ? null : new Date(this.since.getTime() - SYNC_OVERLAP_MS);
    const { rows } = await this.db.query(
      `select scope, subject, (extract(epoch from locked_until) * 1000)::float8 as locked_until_ms, updated_at
         from authority.authentication_failures
        where ($1::timestamptz is null or updated_at > $1)
        order by updated_at limit 10000`,
      [since],
    );
    for (const row of rows as { scope: ThrottleScope; subject: string; locked_until_ms: number | null; updated_at: Date }[]) {
      this.remember(key(row.scope, row.subject), { lockedUntil: row.locked_until_ms ?? 0, failing: true });
      if (this.since === null || row.updated_at > this.since) this.since = row.updated_at;
    }
    if (this.now() - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = this.now();
      await this.db.query(
        `delete from authority.authentication_failures
          where window_started < now() - make_interval(secs => $1) and (locked_until is null or locked_until < now())`,
        [this.settings.windowSeconds],
      );
    }
  }

  private remember(k: string, value: Known): void {
    if (!this.known.has(k) && this.known.size >= MAX_KNOWN) {
      this.known.clear();
      this.since = null;
    }
    this.known.set(k, value);
  }
}

function key(scope: ThrottleScope, digest: string): string {
  return scope + ':' + digest;
}
