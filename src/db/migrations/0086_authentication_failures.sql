-- Failed sign-ins and client authentications, shared by every Authority instance: one row per
-- throttled subject (a username, a client id or a client address, stored as a SHA-256 digest
-- so hostile input never lands in the table as sent). A row exists only while failures are
-- being counted or a lockout holds; a success deletes it, and expired rows are purged.
create table authority.authentication_failures (
  scope text not null check (scope in ('user', 'client', 'address')),
  subject text not null check (subject ~ '^[0-9a-f]{64}$'),
  failures integer not null,
  window_started timestamptz not null,
  locked_until timestamptz,
  updated_at timestamptz not null default clock_timestamp(),
  primary key (scope, subject)
);
create index authentication_failures_updated on authority.authentication_failures (updated_at);
