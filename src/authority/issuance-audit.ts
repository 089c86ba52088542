/**
 * Issuance audit events, written before the token response leaves. Concurrent requests
 * share one multi-row INSERT (group commit): a request waits for the statement carrying
 * its event, so persistence is never skipped, only batched.
 */
import type { Queryable } from '../db/database.ts';
import type { AuditEvent } from '../telemetry/audit.ts';

interface Pending {
  event: AuditEvent;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class BatchedAuditWriter {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Queryable,
    private readonly maxInFlight = 2,
    private readonly maxBatch = 500,
  ) {}

  write(event: AuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.insert(batch.map((p) => p.event))
        .then(
          () => batch.forEach((p) => p.resolve()),
          (err) => batch.forEach((p) => p.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  private async insert(events: AuditEvent[]): Promise<void> {
    await this.db.query({
      // Unnamed on purpose: a named statement lives on one server session, and behind a
      // transaction pooler (pgbouncer < 1.21) another client meets it there ("already exists").
      text: `insert into telemetry.audit_events (time, type, outcome, actor, client, tenant, properties)
       select coalesce(t, clock_timestamp()), ty, o, a, c, te, p
         from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[]) as u(t, ty, o, a, c, te, p)`,
      values: [
        events.map((e) => e.time ?? null),
        events.map((e) => e.type),
        events.map((e) => e.outcome),
        events.map((e) => e.actor ?? null),
        events.map((e) => e.client ?? null),
        events.map((e) => e.tenant ?? null),
        events.map((e) => JSON.stringify(e.properties ?? {})),
      ],
    });
  }
}
