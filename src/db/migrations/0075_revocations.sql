-- Revocations every gateway applies without a database round trip per request: each
-- gateway loads the live rows, then follows inserts by NOTIFY (with a poll as fallback).
-- A row names one access token (jti), or every token of a client and/or subject issued
-- before not_before, optionally only those for one tenant. It is kept until no token it
-- covers can still be valid (expires_at).
create table authority.revocations (
  id bigint generated always as identity primary key,
  jti text,
  client_id text,
  subject text,
  tenant text,
  not_before timestamptz not null default clock_timestamp(),
  expires_at timestamptz not null,
  reason text not null,
  created_at timestamptz not null default clock_timestamp(),
  constraint revocation_names_something check (jti is not null or client_id is not null or subject is not null)
);
create index revocations_expiry on authority.revocations (expires_at);

create function authority.notify_revocation() returns trigger language plpgsql as $$
begin
  perform pg_notify('tenantgate_revocations', new.id::text);
  return new;
end $$;

create trigger revocation_notify after insert on authority.revocations
  for each row execute function authority.notify_revocation();

-- Access tokens revoked one by one so far are carried over.
insert into authority.revocations (jti, not_before, expires_at, reason)
  select jti, revoked_at, expires_at, 'token revoked' from authority.revoked_tokens where expires_at > now();
drop table authority.revoked_tokens;
