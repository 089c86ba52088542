-- ID tokens get a signing key of their own: RS256, the algorithm OpenID Connect requires a
-- provider to offer and a client gets when it registered none. It lives beside the access
-- token keys (sealed the same way, rotated and retired the same way) and is published in the
-- same JWKS; access-token verifiers accept EdDSA and ES256 only, so it never verifies an
-- access token.
alter table authority.signing_keys add column purpose text not null default 'access';
alter table authority.signing_keys drop constraint signing_keys_algorithm_check;
alter table authority.signing_keys add constraint signing_keys_algorithm_check
  check ((purpose = 'access' and algorithm in ('EdDSA', 'ES256')) or (purpose = 'id_token' and algorithm = 'RS256'));
create index signing_keys_active on authority.signing_keys (purpose, created_at desc) where retired_at is null;

-- The algorithm a client registered for its ID tokens (OpenID Connect Dynamic Client
-- Registration's id_token_signed_response_alg); null means RS256.
alter table authority.clients add column id_token_signed_response_alg text
  check (id_token_signed_response_alg in ('RS256', 'EdDSA', 'ES256'));
