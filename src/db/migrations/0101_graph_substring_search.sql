-- Graph search by substring (GET /api/v1/graph/search), served by trigram GIN indexes.
--
-- Why a side table: under row-level security PostgreSQL may use an index only for quals
-- that are leakproof (or come before the policy), and LIKE is not leakproof. A trigram index
-- on graph.nodes would never be used by the runtime role, whose every query carries the
-- policy, so a search would scan the tenant's nodes. graph.node_search holds the searchable
-- text of every node; its RLS is enabled with the tenant policy but not forced, so only its
-- owner (the functions below) reads it past the policy, and the runtime role holds no
-- privilege on it at all. It reaches it only through graph.search_node_ids, which filters by
-- app.tenant_id itself; the ids it returns are joined back to graph.nodes under its RLS.
-- pg_trgm and btree_gin (for the tenant_id column leading the GIN indexes) are trusted
-- extensions: the owner creates them with CREATE on the database, no superuser needed.
create extension if not exists pg_trgm with schema public;
create extension if not exists btree_gin with schema public;

create table graph.node_search (
  tenant_id text not null,
  node_id text not null,
  name_lower text not null,
  purl_lower text not null,
  primary key (tenant_id, node_id),
  foreign key (tenant_id, node_id) references graph.nodes (tenant_id, id) on delete cascade
);
create index node_search_name_trgm on graph.node_search using gin (tenant_id, name_lower public.gin_trgm_ops);
create index node_search_purl_trgm on graph.node_search using gin (tenant_id, purl_lower public.gin_trgm_ops);
create index node_search_order on graph.node_search (tenant_id, name_lower, node_id);
-- 0001's default privileges grant the runtime role every new table: not this one.
revoke all on graph.node_search from {{runtime}};
alter table graph.node_search enable row level security;
create policy tenant_isolation on graph.node_search
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));

create function graph.node_search_sync() returns trigger language plpgsql security definer
  set search_path = pg_catalog, public as $$
begin
  insert into graph.node_search (tenant_id, node_id, name_lower, purl_lower)
  values (new.tenant_id, new.id, lower(new.name), lower(new.purl))
  on conflict (tenant_id, node_id) do update set name_lower = excluded.name_lower, purl_lower = excluded.purl_lower;
  return null;
end $$;
revoke all on function graph.node_search_sync() from public;
create trigger node_search_sync after insert or update of name, purl on graph.nodes
  for each row execute function graph.node_search_sync();

-- The ids of the current tenant's nodes whose lower-cased name or purl matches $1 (a LIKE
-- pattern, already lower-cased and escaped), in (name_lower, node_id) order after the cursor
-- ($2, $3), at most $4. No tenant set: no rows. (Positional parameters, so the body can be
-- prepared and explained as it is: test/modules/graph/search-index.test.ts.)
create function graph.search_node_ids(pattern text, after_name text, after_id text, lim integer)
  returns table (node_id text, name_lower text) language sql stable security definer rows 50
  set search_path = pg_catalog, public as $$
  select s.node_id, s.name_lower from graph.node_search s
   where s.tenant_id = current_setting('app.tenant_id', true)
     and (s.name_lower like $1 or s.purl_lower like $1)
     and ($2 is null or (s.name_lower, s.node_id) > ($2, $3))
   order by s.name_lower, s.node_id
   limit $4
$$;
revoke all on function graph.search_node_ids(text, text, text, integer) from public;
grant execute on function graph.search_node_ids(text, text, text, integer) to {{runtime}};

-- Existing nodes: graph.nodes forces RLS even on its owner, so lift that for the copy.
alter table graph.nodes no force row level security;
insert into graph.node_search (tenant_id, node_id, name_lower, purl_lower)
  select tenant_id, id, lower(name), lower(purl) from graph.nodes;
alter table graph.nodes force row level security;
