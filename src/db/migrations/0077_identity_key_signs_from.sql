-- A rotated-in identity key is published before the gateway signs with it: signs_from is
-- when it starts signing. Until then verifiers fetch it with the key set while the previous
-- key keeps signing, so none meets an unknown kid inside its refetch cooldown.
alter table gateway.identity_keys add column signs_from timestamptz not null default now();
update gateway.identity_keys set signs_from = created_at;
