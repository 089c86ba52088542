-- Synthetic traffic (docs/rollout.md, "Synthetic traffic"): the tenants and clients the
-- acceptance matrix provisions send deliberate legacy and spoofed requests. They are flagged
-- when created and registered in telemetry.synthetic_identities, which outlives the records
-- (the matrix deletes them after its run), so every legacy signal and rollback monitor can
-- leave their counter rows out and count them apart.
alter table authority.tenants add column synthetic boolean not null default false;
alter table authority.clients add column synthetic boolean not null default false;

create table telemetry.synthetic_identities (
  kind text not null check (kind in ('client', 'tenant')),
  id text not null check (id <> ''),
  registered_at timestamptz not null default now(),
  primary key (kind, id)
);
