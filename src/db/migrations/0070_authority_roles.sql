-- Roles (src/contract/roles.ts): a tenant role per assignment and fleet roles apart from tenant
-- membership, for users and clients. Existing records get the roles that come closest to what
-- their scope lists granted before (docs/authority.md, "Roles after upgrading"):
-- - every assigned tenant: `admin` when the scopes held authority:clients.write or
--   authority:users.write, else `member` when they held a module write scope (platform:write,
--   scanner:write, graph:write, graph:export), else `viewer`;
-- - fleet `operator` when they held rollout:write, authority:tenants.write,
--   authority:clients.write or authority:users.write (all of which reached every tenant);
--   fleet `auditor` when they held authority:audit.read or an authority:*.read scope.
-- Clients keep their scope list as a ceiling; a client's own roles apply to client_credentials
-- only, so fleet roles are carried over for clients that use that grant. A ceiling that held
-- today's cross-tenant scopes gains their fleet names, so carried-over fleet roles still work.
-- Users lose their scope list: their scopes now come from their roles.
alter table authority.users add column roles jsonb not null default '{}'::jsonb, add column fleet_roles text[] not null default '{}';
alter table authority.clients add column roles jsonb not null default '{}'::jsonb, add column fleet_roles text[] not null default '{}';

create function authority.tenant_role_for(scopes text[]) returns text language sql immutable as $$
  select case
    when scopes && array['authority:clients.write', 'authority:users.write'] then 'admin'
    when scopes && array['platform:write', 'scanner:write', 'graph:write', 'graph:export'] then 'member'
    else 'viewer' end
$$;
create function authority.fleet_roles_for(scopes text[]) returns text[] language sql immutable as $$
  select array_remove(array[
    case when scopes && array['rollout:write', 'authority:tenants.write', 'authority:clients.write', 'authority:users.write'] then 'operator' end,
    case when scopes && array['authority:audit.read', 'authority:tenants.read', 'authority:clients.read', 'authority:users.read'] then 'auditor' end
  ], null)
$$;

update authority.users u set
  roles = coalesce((select jsonb_object_agg(t, authority.tenant_role_for(u.scopes))
                    from (select distinct t from unnest(array_append(u.tenants, u.tenant)) t where t is not null) a), '{}'::jsonb),
  fleet_roles = authority.fleet_roles_for(u.scopes);

update authority.clients c set
  roles = coalesce((select jsonb_object_agg(t, authority.tenant_role_for(c.scopes))
                    from (select distinct t from unnest(array_append(c.tenants, c.tenant)) t where t is not null) a), '{}'::jsonb),
  fleet_roles = case when 'client_credentials' = any(c.grant_types) then authority.fleet_roles_for(c.scopes) else '{}' end,
  scopes = coalesce((select array_agg(distinct s order by s) from unnest(c.scopes || array_remove(array[
    case when c.scopes && array['authority:clients.read', 'authority:users.read', 'authority:tenants.read'] then 'authority:fleet.read' end,
    case when c.scopes && array['authority:clients.write', 'authority:users.write'] then 'authority:fleet.write' end,
    case when c.scopes && array['authority:audit.read'] then 'authority:audit.fleet' end
  ], null)) s), '{}');

drop function authority.tenant_role_for(text[]);
drop function authority.fleet_roles_for(text[]);
alter table authority.users drop column scopes;

-- What the holder asked for (the consent), apart from what its role granted: switching tenant
-- on refresh grants what the new tenant's role allows within it. Null on rows written before.
alter table authority.refresh_tokens add column requested_scopes text[];
