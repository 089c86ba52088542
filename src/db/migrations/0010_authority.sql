-- The Authority: tenants, clients, users, signing keys, refresh tokens, authorization codes
-- and revoked access tokens. Not tenant-scoped: the Authority is the one component that
-- manages every tenant's identities.
create schema authority;
grant usage on schema authority to {{runtime}};

create table authority.tenants (
  id text primary key check (id ~ '^[a-z0-9][a-z0-9._:-]{0,127}$'),
  display_name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table authority.clients (
  client_id text primary key check (client_id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
  display_name text not null,
  -- SHA-256 of a high-entropy generated secret (hex); null for public clients.
  secret_digest text,
  public boolean not null default false,
  grant_types text[] not null,
  scopes text[] not null default '{}',
  tenant text,
  tenants text[] not null default '{}',
  redirect_uris text[] not null default '{}',
  include_allowed_tenants boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (public or secret_digest is not null)
);

create table authority.users (
  id text primary key,
  username text not null unique check (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$'),
  password_hash text not null,
  tenant text,
  tenants text[] not null default '{}',
  scopes text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table authority.signing_keys (
  kid text primary key,
  algorithm text not null check (algorithm in ('EdDSA', 'ES256')),
  public_jwk jsonb not null,
  private_key_sealed text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz,
  -- After this instant no token signed by the key can still be valid: it leaves the JWKS.
  publish_until timestamptz
);

create table authority.refresh_tokens (
  id text primary key,
  digest text not null unique,
  family_id text not null,
  client_id text not null,
  user_id text not null,
  scopes text[] not null,
  tenant text not null,
  how text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz
);
create index refresh_tokens_family on authority.refresh_tokens (family_id);

create table authority.authorization_codes (
  digest text primary key,
  client_id text not null,
  user_id text not null,
  redirect_uri text not null,
  scopes text[] not null,
  requested_tenant text,
  code_challenge text,
  nonce text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  -- The refresh family the code was redeemed into: revoked when the code is replayed.
  family_id text
);

create table authority.revoked_tokens (
  jti text primary key,
  expires_at timestamptz not null,
  revoked_at timestamptz not null default now()
);
