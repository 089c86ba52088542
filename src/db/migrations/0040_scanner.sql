-- Scanner: advisories (global reference data), tenant-scoped scans, findings, triage
-- history, unknowns, registered SBOMs and webhook sources (all under RLS), plus two
-- deliberately non-RLS tables: the job queue and the webhook routing table (see below).

create schema scanner;
grant usage on schema scanner to {{runtime}};

-- Advisories are public reference data shared by every tenant, so no tenant_id and no RLS.
-- Rows are synced from the bundled dataset file when the scanner starts.
create table scanner.advisories (
  id text primary key,
  aliases text[] not null default '{}',
  ecosystem text not null,
  namespace text not null default '',
  name text not null,
  severity text not null check (severity in ('critical', 'high', 'medium', 'low')),
  summary text not null,
  ranges jsonb not null,
  published date not null
);
create index advisories_package on scanner.advisories (ecosystem, namespace, name);

-- Tenant-local id allocation: scan-0001, finding-0001, unknown-0001 count per tenant, which
-- is also why two tenants naturally hold equal ids.
create table scanner.id_counters (
  tenant_id text not null,
  kind text not null,
  last_value bigint not null,
  primary key (tenant_id, kind)
);

create table scanner.sboms (
  tenant_id text not null,
  image_digest text not null,
  sbom jsonb not null,
  registered_at timestamptz not null default now(),
  registered_by text not null,
  primary key (tenant_id, image_digest)
);

create table scanner.scans (
  tenant_id text not null,
  id text not null,
  seq bigint not null,
  image_digest text not null,
  image_name text,
  status text not null check (status in ('queued', 'running', 'completed', 'failed')),
  source text not null,
  requested_by text not null,
  sbom jsonb,
  component_count integer,
  finding_count integer,
  unknown_count integer,
  error text,
  created_at timestamptz not null default clock_timestamp(),
  started_at timestamptz,
  completed_at timestamptz,
  primary key (tenant_id, id)
);
create unique index scans_tenant_seq on scanner.scans (tenant_id, seq);
create index scans_tenant_digest on scanner.scans (tenant_id, image_digest);

create table scanner.findings (
  tenant_id text not null,
  id text not null,
  seq bigint not null,
  scan_id text not null,
  advisory_id text not null,
  aliases text[] not null default '{}',
  severity text not null,
  summary text not null,
  package_name text not null,
  package_version text not null,
  purl text not null,
  fixed_version text,
  status text not null default 'open' check (status in ('open', 'under_review', 'accepted_risk', 'false_positive', 'fixed')),
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, id),
  foreign key (tenant_id, scan_id) references scanner.scans (tenant_id, id) on delete cascade
);
create index findings_tenant_scan on scanner.findings (tenant_id, scan_id, seq);
create unique index findings_tenant_seq on scanner.findings (tenant_id, seq);
create index findings_tenant_status on scanner.findings (tenant_id, status, seq);

create table scanner.finding_history (
  tenant_id text not null,
  finding_id text not null,
  seq integer not null,
  from_status text,
  to_status text not null,
  actor text not null,
  client text,
  note text,
  changed_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, finding_id, seq),
  foreign key (tenant_id, finding_id) references scanner.findings (tenant_id, id) on delete cascade
);

-- An unknown is one unidentifiable component (by name, version and reason) per tenant;
-- every scan that meets it again adds an observation (its evidence and history).
create table scanner.unknowns (
  tenant_id text not null,
  id text not null,
  seq bigint not null,
  identity_key text not null,
  component_name text not null,
  component_version text,
  purl text,
  reason text not null,
  detail text not null,
  first_scan_id text not null,
  first_seen timestamptz not null default clock_timestamp(),
  last_seen timestamptz not null default clock_timestamp(),
  primary key (tenant_id, id),
  unique (tenant_id, identity_key)
);
create unique index unknowns_tenant_seq on scanner.unknowns (tenant_id, seq);

create table scanner.unknown_observations (
  tenant_id text not null,
  unknown_id text not null,
  seq integer not null,
  scan_id text not null,
  image_digest text not null,
  evidence jsonb not null,
  observed_at timestamptz not null default clock_timestamp(),
  primary key (tenant_id, unknown_id, seq),
  foreign key (tenant_id, unknown_id) references scanner.unknowns (tenant_id, id) on delete cascade
);

create table scanner.webhook_sources (
  tenant_id text not null,
  provider text not null,
  source_name text not null,
  secret_sealed text not null,
  created_at timestamptz not null default clock_timestamp(),
  created_by text not null,
  rotated_at timestamptz,
  primary key (tenant_id, provider, source_name)
);

do $$
declare t text;
begin
  foreach t in array array['id_counters', 'sboms', 'scans', 'findings', 'finding_history', 'unknowns', 'unknown_observations', 'webhook_sources'] loop
    execute format('alter table scanner.%I enable row level security', t);
    execute format('alter table scanner.%I force row level security', t);
    execute format($p$create policy tenant_isolation on scanner.%I
      using (tenant_id = current_setting('app.tenant_id', true))
      with check (tenant_id = current_setting('app.tenant_id', true))$p$, t);
  end loop;
end $$;

-- The job queue is claimed ACROSS tenants (a worker cannot know which tenant's job is next),
-- so it cannot sit behind RLS. It therefore holds nothing but ids and lease bookkeeping;
-- the scan itself (image, SBOM, results) stays in the RLS tables and the worker reads and
-- writes it only inside withTenant(job.tenant_id).
create table scanner.jobs (
  id bigserial primary key,
  tenant_id text not null,
  scan_id text not null,
  state text not null default 'queued' check (state in ('queued', 'running', 'done', 'failed')),
  attempts integer not null default 0,
  lease_token uuid,
  lease_owner text,
  lease_expires_at timestamptz,
  enqueued_at timestamptz not null default clock_timestamp(),
  finished_at timestamptz,
  finished_by text,
  unique (tenant_id, scan_id)
);
create index jobs_claimable on scanner.jobs (id) where state in ('queued', 'running');

-- Webhook routing: which tenants registered (provider, source_name). The public receive
-- route has no tenant yet, so it must look this up across tenants; the table holds no
-- secret. Only the trigger below (running as the owner) writes it — the runtime role can
-- read it, never forge a route for another tenant.
create table scanner.webhook_routes (
  provider text not null,
  source_name text not null,
  tenant_id text not null,
  primary key (provider, source_name, tenant_id)
);
revoke insert, update, delete, truncate on scanner.webhook_routes from {{runtime}};

create function scanner.webhook_route_sync() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    insert into scanner.webhook_routes (provider, source_name, tenant_id)
    values (new.provider, new.source_name, new.tenant_id) on conflict do nothing;
    return new;
  end if;
  delete from scanner.webhook_routes
  where provider = old.provider and source_name = old.source_name and tenant_id = old.tenant_id;
  return old;
end $$;
revoke all on function scanner.webhook_route_sync() from public;

create trigger webhook_route_sync after insert or delete on scanner.webhook_sources
  for each row execute function scanner.webhook_route_sync();
