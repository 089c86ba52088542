-- Keys of the gateway identity envelope. The gateway signs with the private key (sealed
-- under the key-encryption key); modules verify with the public key.
create schema gateway;
grant usage on schema gateway to {{runtime}};

create table gateway.envelope_keys (
  kid text primary key,
  algorithm text not null check (algorithm in ('EdDSA')),
  public_key text not null,
  private_key_sealed text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);
