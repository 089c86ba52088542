-- The heartbeat period each instance runs with, so status can tell a live instance from one
-- that is gone (not seen for three of its own periods) whatever its configuration.
alter table telemetry.instances add column heartbeat_interval_ms integer;
