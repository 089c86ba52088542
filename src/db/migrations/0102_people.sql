-- Who an id names, for showing people by name: users by username, clients by display name.
-- Audit actors, triage history and rollout history keep ids (a user id or client id is the
-- stable reference); the services answering the console add the names from this view. It
-- exposes no credentials, roles or assignments.
create view authority.people with (security_barrier) as
  select id, 'user'::text as kind, username as name from authority.users
  union all
  select client_id, 'client'::text, display_name from authority.clients;
grant select on authority.people to {{runtime}};
