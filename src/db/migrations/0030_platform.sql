-- Platform: per-tenant user preferences and topology (environments and their targets).
-- Ids are tenant-local: primary keys lead with tenant_id, so two tenants can both hold `prod`.

create schema platform;
grant usage on schema platform to {{runtime}};

create table platform.preferences (
  tenant_id text not null,
  subject text not null,
  region text,
  environment text,
  time_window text,
  stage text,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, subject)
);

create table platform.environments (
  tenant_id text not null,
  id text not null,
  name text not null,
  description text not null default '',
  region text,
  stage text,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table platform.targets (
  tenant_id text not null,
  environment_id text not null,
  id text not null,
  name text not null,
  kind text not null check (kind in ('host', 'cluster', 'service', 'registry')),
  address text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, environment_id, id),
  foreign key (tenant_id, environment_id) references platform.environments (tenant_id, id) on delete cascade
);

alter table platform.preferences enable row level security;
alter table platform.preferences force row level security;
create policy tenant_isolation on platform.preferences
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));

alter table platform.environments enable row level security;
alter table platform.environments force row level security;
create policy tenant_isolation on platform.environments
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));

alter table platform.targets enable row level security;
alter table platform.targets force row level security;
create policy tenant_isolation on platform.targets
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));
