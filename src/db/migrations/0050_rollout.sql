-- Rollout controller state (ROLLOUT.md §2): phase, freeze, deployments, evidence,
-- sign-offs, decisions, incidents with timelines. Every change is also an audit event.

create schema rollout;
grant usage on schema rollout to {{runtime}};

-- The one row of current state.
create table rollout.state (
  id smallint primary key default 1 check (id = 1),
  phase integer not null default 0,
  frozen boolean not null default false,
  frozen_reason text,
  updated_at timestamptz not null default now(),
  updated_by text not null default 'system'
);
insert into rollout.state (id) values (1);

create table rollout.phase_history (
  id bigserial primary key,
  from_phase integer not null,
  to_phase integer not null,
  at timestamptz not null,
  actor text not null,
  reason text not null,
  forced boolean not null default false,
  gate jsonb not null default '{}'::jsonb
);

create table rollout.freeze_history (
  id bigserial primary key,
  frozen boolean not null,
  at timestamptz not null,
  actor text not null,
  reason text not null,
  incident_id bigint
);

-- Deployment records per component. Exactly one record per component is current.
create table rollout.deployments (
  id bigserial primary key,
  component text not null,
  build_id text not null,
  config_version text,
  deployed_at timestamptz not null,
  recorded_by text not null,
  last_known_good boolean not null default false,
  current boolean not null default true,
  reverted_at timestamptz,
  reverted_by_incident bigint
);
create unique index deployments_one_current on rollout.deployments (component) where current;
create index deployments_component on rollout.deployments (component, id desc);

create table rollout.evidence (
  id bigserial primary key,
  kind text not null,
  name text not null,
  format text not null,
  sha256 text not null,
  recorded_at timestamptz not null,
  recorded_by text not null,
  total integer not null,
  failed integer not null,
  green boolean not null,
  cases jsonb not null default '[]'::jsonb,
  summary jsonb not null default '{}'::jsonb,
  incident_id bigint
);
create index evidence_kind on rollout.evidence (kind, id desc);

create table rollout.signoffs (
  id bigserial primary key,
  phase integer not null,
  criterion text not null,
  signed_by text not null,
  note text not null default '',
  at timestamptz not null
);
create index signoffs_phase on rollout.signoffs (phase, criterion);

create table rollout.decisions (
  id bigserial primary key,
  decision text not null check (decision in ('go', 'no-go')),
  qa text not null,
  pm text not null,
  note text not null default '',
  checklist_sha256 text not null,
  checklist jsonb not null,
  forced boolean not null default false,
  force_reason text,
  decided_at timestamptz not null,
  decided_by text not null
);

create table rollout.incidents (
  id bigserial primary key,
  component text not null,
  reason text not null,
  trigger text not null,
  opened_at timestamptz not null,
  opened_by text not null,
  status text not null default 'open' check (status in ('open', 'resolved'))
);
create index incidents_component on rollout.incidents (component, id desc);

create table rollout.incident_events (
  id bigserial primary key,
  incident_id bigint not null references rollout.incidents (id),
  at timestamptz not null,
  step text not null,
  outcome text not null check (outcome in ('done', 'unchanged', 'failed', 'info')),
  detail text not null,
  data jsonb not null default '{}'::jsonb
);
create index incident_events_incident on rollout.incident_events (incident_id, id);
