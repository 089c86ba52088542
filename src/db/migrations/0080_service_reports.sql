-- Services declared in the configuration (`services.<name>`) that run outside tenantgate
-- report their own legacy tenant header use to the gateway. Two facts make a day of such a
-- service "data" for the strict-mode gate (docs/spec/ROLLOUT.md §3):
-- a gateway declared the service that day (its heartbeat row names the external services it
-- routes to), and the service reported that day (a row here, even with zero uses).
-- A declared service without a report on a day is "no data" for that day, never zero.
alter table telemetry.heartbeats add column services text[] not null default '{}';

create table telemetry.service_reports (
  utc_day date not null,
  service text not null,
  first_report timestamptz not null,
  last_report timestamptz not null,
  reports bigint not null default 1,
  primary key (utc_day, service)
);
