-- Webhook replay protection: the delivery ids a tenant's sources already delivered. A row
-- lives until its delivery's own timestamp leaves the acceptance window (`expires_at`);
-- after that the timestamp check refuses the delivery anyway, so the row is pruned.
create table scanner.webhook_deliveries (
  tenant_id text not null,
  provider text not null,
  source_name text not null,
  delivery_id text not null,
  received_at timestamptz not null default clock_timestamp(),
  expires_at timestamptz not null,
  primary key (tenant_id, provider, source_name, delivery_id)
);
create index webhook_deliveries_expiry on scanner.webhook_deliveries (tenant_id, expires_at);

alter table scanner.webhook_deliveries enable row level security;
alter table scanner.webhook_deliveries force row level security;
create policy tenant_isolation on scanner.webhook_deliveries
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));
