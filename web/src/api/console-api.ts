/** The Authority's /console/* endpoints the session and the tenant switch rely on. */
import type { ApiClient, RequestOptions } from './client.ts';

export interface TenantOption {
  id: string;
  displayName: string;
}

export interface TenantList {
  tenants: TenantOption[];
  selectedTenant: string;
}

export type ConsoleProfile = Record<string, unknown>;

export interface Introspection {
  active: boolean;
  tenant: string | null;
  raw: Record<string, unknown>;
}

type Identity = RequestOptions['identity'];

export function fetchTenants(client: ApiClient, identity?: Identity): Promise<TenantList> {
  return client.get<TenantList>('/console/tenants', { identity });
}

export function fetchProfile(client: ApiClient, identity?: Identity): Promise<ConsoleProfile> {
  return client.get<ConsoleProfile>('/console/profile', { identity });
}

export async function introspectToken(client: ApiClient, tenantClaim: string, identity?: Identity): Promise<Introspection> {
  const raw = await client.get<Record<string, unknown>>('/console/token/introspect', { identity });
  const tenant = raw.tenant ?? raw[tenantClaim];
  return { active: raw.active !== false, tenant: typeof tenant === 'string' ? tenant : null, raw };
}

/** A person-facing name for the profile: whichever naming field the Authority supplies. */
export function profileName(profile: ConsoleProfile | null): string {
  if (!profile) return '';
  for (const key of ['displayName', 'name', 'username', 'preferred_username', 'subject', 'sub']) {
    const value = profile[key];
    if (typeof value === 'string' && value) return value;
  }
  return '';
}
