-- Single-use sign-in tickets: the tenant-choice form's sealed ticket is accepted once. A row
-- lives until the ticket itself expires (after that the ticket is refused anyway).
create table authority.used_login_tickets (
  ticket_id text primary key,
  expires_at timestamptz not null,
  used_at timestamptz not null default now()
);
create index used_login_tickets_expiry on authority.used_login_tickets (expires_at);
