-- Graph: components (nodes, keyed by purl) and dependency edges from ingested CycloneDX SBOMs.
-- Node ids derive from the canonical purl, so the same package has the same id in every
-- tenant — ids are tenant-local and primary keys lead with tenant_id.

create schema graph;
grant usage on schema graph to {{runtime}};

create table graph.sboms (
  tenant_id text not null,
  id text not null,
  serial_number text,
  subject text,
  component_count integer not null,
  edge_count integer not null,
  ingested_by text not null,
  ingested_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index sboms_tenant_time on graph.sboms (tenant_id, ingested_at desc);

create table graph.nodes (
  tenant_id text not null,
  id text not null,
  purl text not null,
  type text not null,
  name text not null,
  grp text not null default '',
  version text not null default '',
  description text not null default '',
  sbom_count integer not null default 1,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, purl)
);
create index nodes_tenant_name on graph.nodes (tenant_id, lower(name) text_pattern_ops, id);
create index nodes_tenant_purl on graph.nodes (tenant_id, purl text_pattern_ops);

create table graph.edges (
  tenant_id text not null,
  from_id text not null,
  to_id text not null,
  first_seen_at timestamptz not null default now(),
  primary key (tenant_id, from_id, to_id),
  foreign key (tenant_id, from_id) references graph.nodes (tenant_id, id) on delete cascade,
  foreign key (tenant_id, to_id) references graph.nodes (tenant_id, id) on delete cascade
);
create index edges_tenant_to on graph.edges (tenant_id, to_id, from_id);

alter table graph.sboms enable row level security;
alter table graph.sboms force row level security;
create policy tenant_isolation on graph.sboms
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));

alter table graph.nodes enable row level security;
alter table graph.nodes force row level security;
create policy tenant_isolation on graph.nodes
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));

alter table graph.edges enable row level security;
alter table graph.edges force row level security;
create policy tenant_isolation on graph.edges
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));
