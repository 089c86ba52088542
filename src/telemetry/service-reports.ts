/**
 * Legacy-use reports of declared external services (docs/spec/GATEWAY.md §5): each report
 * is written at once, in one transaction, into the durable daily counters (signal
 * `service.legacy_header`, detail = the service) and into telemetry.service_reports, which
 * records that the service reported on each day the report covers — also with zero uses.
 * A report carries an idempotency key: one retried after an ambiguous failure counts once.
 */
import type { Database, Queryable } from '../db/database.ts';
import { signals } from './signals.ts';

export interface ReportedUse {
  alias: string;
  tenant: string;
  /** The client of the request that carried the alias ('' when the service does not say). */
  client: string;
  count: number;
}

export interface ServiceReport {
  service: string;
  batchId: string;
  days: { day: string; uses: ReportedUse[] }[];
}

/** Writes a report; answers false when its batch id was applied before (nothing written again). */
export async function recordServiceReport(db: Database, report: ServiceReport, at: Date): Promise<boolean> {
  return db.withTransaction(async (tx) => {
    const fresh = await tx.query('insert into telemetry.counter_batches (batch_id, instance_id) values ($1, $2) on conflict do nothing', [report.batchId, `service:${report.service}`]);
    if (fresh.rowCount !== 1) return false;
    const cells = report.days.flatMap((d) => d.uses.filter((u) => u.count > 0).map((u) => ({ day: d.day, ...u })));
    if (cells.length > 0) {
      await tx.query(
        `insert into telemetry.daily_counters as d (utc_day, signal, alias, client, tenant, detail, count)
         select day, $2, alias, client, tenant, $3, sum(n) from unnest($1::date[], $4::text[], $5::text[], $6::text[], $7::bigint[]) as t(day, alias, client, tenant, n)
          group by day, alias, client, tenant
         on conflict (utc_day, signal, alias, client, tenant, detail) do update set count = d.count + excluded.count`,
        [cells.map((c) => c.day), signals.serviceLegacyHeader, report.service, cells.map((c) => c.alias), cells.map((c) => c.client), cells.map((c) => c.tenant), cells.map((c) => c.count)],
      );
    }
    await tx.query(
      `insert into telemetry.service_reports as r (utc_day, service, first_report, last_report) select distinct unnest($1::date[]), $2, $3::timestamptz, $3::timestamptz
       on conflict (utc_day, service) do update set last_report = excluded.last_report, reports = r.reports + 1`,
      [report.days.map((d) => d.day), report.service, at],
    );
    return true;
  });
}

export interface ServiceDay {
  day: string;
  /** External services a gateway declared that day (from its heartbeat rows). */
  declared: string[];
  /** Services that reported that day. */
  reported: string[];
}

/** Per day: which external services were declared, and which reported. Days with neither are absent. */
export async function readServiceDays(db: Queryable, fromDay: string, toDay: string): Promise<ServiceDay[]> {
  const declared = await db.query<{ day: string; services: string[] }>(
    `select to_char(utc_day, 'YYYY-MM-DD') as day, array_agg(distinct s order by s) as services
       from telemetry.heartbeats, unnest(services) as s where utc_day between $1::date and $2::date group by utc_day`,
    [fromDay, toDay],
  );
  const reported = await db.query<{ day: string; services: string[] }>(
    `select to_char(utc_day, 'YYYY-MM-DD') as day, array_agg(service order by service) as services from telemetry.service_reports
      where utc_day between $1::date and $2::date group by utc_day`,
    [fromDay, toDay],
  );
  const days = new Map<string, ServiceDay>();
  const at = (day: string) => days.get(day) ?? days.set(day, { day, declared: [], reported: [] }).get(day)!;
  for (const r of declared.rows) at(r.day).declared = r.services;
  for (const r of reported.rows) at(r.day).reported = r.services;
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}
