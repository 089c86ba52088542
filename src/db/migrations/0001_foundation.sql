-- Foundation: privileges for the runtime role, the telemetry base and the flag store.

alter default privileges for role {{owner}} grant select, insert, update, delete on tables to {{runtime}};
alter default privileges for role {{owner}} grant usage, select on sequences to {{runtime}};
alter default privileges for role {{owner}} grant execute on functions to {{runtime}};

create table public.tenantgate_meta (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);

create schema telemetry;
grant usage on schema telemetry to {{runtime}};

create table telemetry.audit_events (
  id bigserial primary key,
  time timestamptz not null default clock_timestamp(),
  type text not null,
  outcome text not null,
  actor text,
  client text,
  tenant text,
  properties jsonb not null default '{}'::jsonb
);
create index audit_events_time on telemetry.audit_events (time desc, id desc);
create index audit_events_type_time on telemetry.audit_events (type, time desc);
create index audit_events_tenant_time on telemetry.audit_events (tenant, time desc);
create index audit_events_client_time on telemetry.audit_events (client, time desc);

-- Durable daily counters: (UTC day, signal, labels) → count.
create table telemetry.daily_counters (
  utc_day date not null,
  signal text not null,
  alias text not null default '',
  client text not null default '',
  tenant text not null default '',
  detail text not null default '',
  count bigint not null check (count >= 0),
  primary key (utc_day, signal, alias, client, tenant, detail)
);
create index daily_counters_signal_day on telemetry.daily_counters (signal, utc_day);

-- Idempotency keys of applied counter batches: a retried batch is applied once.
create table telemetry.counter_batches (
  batch_id uuid primary key,
  instance_id text not null,
  applied_at timestamptz not null default now()
);

-- One row per reporting instance and UTC day: a day without heartbeats is "no data".
create table telemetry.heartbeats (
  utc_day date not null,
  instance_id text not null,
  component text not null,
  first_seen timestamptz not null,
  last_seen timestamptz not null,
  primary key (utc_day, instance_id)
);

-- Running instances and the flag version each one runs (convergence is visible).
create table telemetry.instances (
  instance_id text primary key,
  component text not null,
  host text not null,
  pid integer not null,
  started_at timestamptz not null,
  last_seen timestamptz not null,
  flag_version bigint not null default 0,
  stopped_at timestamptz
);

create schema flags;
grant usage on schema flags to {{runtime}};

create sequence flags.version_seq;

create table flags.flags (
  name text primary key,
  value jsonb not null,
  version bigint not null,
  updated_at timestamptz not null default now(),
  updated_by text not null,
  reason text not null
);

create table flags.history (
  id bigserial primary key,
  name text not null,
  previous jsonb,
  value jsonb not null,
  version bigint not null,
  changed_at timestamptz not null default now(),
  changed_by text not null,
  reason text not null
);
create index flag_history_name on flags.history (name, id desc);

-- A sample tenant table: proves the withTenant + RLS mechanism independent of any module.
create schema sample;
grant usage on schema sample to {{runtime}};
create table sample.notes (
  tenant_id text not null,
  id text not null,
  body text not null,
  primary key (tenant_id, id)
);
alter table sample.notes enable row level security;
alter table sample.notes force row level security;
create policy tenant_isolation on sample.notes
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));
