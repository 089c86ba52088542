-- Leases: "one holder at a time" across every instance for work that outlives a transaction
-- (the rollback playbook, a monitor evaluation). A row, not a session advisory lock, so it
-- holds behind a transaction pooler; a crashed holder's lease expires.
create table rollout.leases (
  name text primary key,
  holder text not null,
  acquired_at timestamptz not null default clock_timestamp(),
  expires_at timestamptz not null
);
