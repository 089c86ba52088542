-- Disabling a client or a user (docs/authority.md, "Disabling a client or a user"): while
-- disabled_at is set, the client gets no token and the user cannot sign in or refresh.
-- Disabling revokes what was issued before (authority.revocations); enabling again clears
-- the column and nothing else, so the tokens revoked then stay revoked. Existing rows are
-- carried over as enabled (null).
alter table authority.clients add column disabled_at timestamptz;
alter table authority.users add column disabled_at timestamptz;
