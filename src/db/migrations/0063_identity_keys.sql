-- The identity assertion's keys (CONTRACT.md §8), formerly the envelope keys: ES256 joins
-- EdDSA, and rotation gets an overlap. A key is active (signs) while verify_until is null,
-- verifying-only until verify_until after a newer key replaced it, then retired.
alter table gateway.envelope_keys rename to identity_keys;
alter table gateway.identity_keys drop constraint envelope_keys_algorithm_check;
alter table gateway.identity_keys add constraint identity_keys_algorithm_check check (algorithm in ('EdDSA', 'ES256'));
alter table gateway.identity_keys add column verify_until timestamptz;
alter table gateway.identity_keys rename constraint envelope_keys_pkey to identity_keys_pkey;
