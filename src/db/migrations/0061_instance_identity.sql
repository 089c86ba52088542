-- What each instance believes about token identity: the issuer it issues (Authority) or
-- accepts (gateway), the key ids it publishes or verifies with, and the key it signs with.
-- Instances that disagree cannot verify each other's tokens; status and readiness say so.
alter table telemetry.instances
  add column issuer text,
  add column key_ids text[] not null default '{}',
  add column signing_kid text;
