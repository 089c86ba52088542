-- The Authority's public keys as it publishes them: what its JWKS serves, readable without
-- the sealed private keys. A gateway that cannot reach the Authority verifies with these.
create view authority.published_keys with (security_barrier) as
  select kid, algorithm, public_jwk, created_at, retired_at, publish_until
    from authority.signing_keys
   where retired_at is null or publish_until > now();
grant select on authority.published_keys to {{runtime}};
