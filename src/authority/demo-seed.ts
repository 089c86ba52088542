/**
 * The Authority's demo identities (runs first in the demo seed): three tenants, five
 * clients and three users with random secrets written to the demo credentials file.
 * Fleet operations belong to a fleet operator apart from the tenant users: the user `ops`
 * and the client `tenantgate-admin`. Tenant users hold different roles in their tenants
 * (alice: admin in alpha, viewer in bravo).
 */
import { randomBytes } from 'node:crypto';
import { publicUrl } from '../config/schema.ts';
import { DEFAULT_TENANT_ROLE } from '../contract/roles.ts';
import { CONSOLE_CALLBACK_PATH, CONSOLE_CLIENT_ID, adminScopes, moduleScopes, rolloutScopes, scopes } from '../contract/scopes.ts';
import type { DemoSeeder } from '../demo/seed.ts';
import { openIdScopes } from './grants/token-scope.ts';
import { createClient } from './store/clients.ts';
import { createTenant } from './store/tenants.ts';
import { createUser } from './store/users.ts';

const SEED_ACTOR = 'demo-seed';

/** The console's callback, also under `localhost` when served on 127.0.0.1 (browsers use either name). */
export function consoleRedirectUris(base: string): string[] {
  const uris = [`${base}${CONSOLE_CALLBACK_PATH}`];
  const url = new URL(base);
  if (url.hostname === '127.0.0.1') {
    url.hostname = 'localhost';
    uris.push(`${url.origin}${CONSOLE_CALLBACK_PATH}`);
  }
  return uris;
}

export const demoTenants = [
  { id: 'tenant-alpha', displayName: 'Alpha Corp' },
  { id: 'tenant-bravo', displayName: 'Bravo Ltd' },
  { id: 'tenant-charlie', displayName: 'Charlie GmbH' },
];

export const seedAuthorityDemo: DemoSeeder = async ({ db, config, credentials }) => {
  for (const t of demoTenants) await createTenant(db, t, SEED_ACTOR);

  const confidential = [
    { clientId: 'scanner-bot', displayName: 'Scanner bot', grantTypes: ['client_credentials'], scopes: moduleScopes, tenants: 'tenant-alpha tenant-bravo' },
    { clientId: 'legacy-cli', displayName: 'Legacy CLI', grantTypes: ['client_credentials'], scopes: moduleScopes, tenant: 'tenant-alpha' },
    {
      clientId: 'ci-runner',
      displayName: 'CI runner',
      grantTypes: ['client_credentials'],
      scopes: moduleScopes.filter((s) => s.startsWith('scanner:') || s.startsWith('graph:')),
      tenants: 'tenant-bravo',
    },
    {
      clientId: 'tenantgate-admin',
      displayName: 'tenantgate administration',
      grantTypes: ['client_credentials'],
      scopes: [...adminScopes, ...rolloutScopes, ...moduleScopes],
      tenant: 'tenant-alpha',
      tenants: 'tenant-alpha tenant-bravo tenant-charlie',
      role: 'admin',
      fleetRoles: ['operator', 'auditor'],
    },
  ];
  for (const c of confidential) {
    const { clientSecret } = await createClient(db, c, SEED_ACTOR);
    credentials.clients[c.clientId] = { secret: clientSecret as string, roles: describeRoles(c) };
  }
  await createClient(
    db,
    {
      clientId: CONSOLE_CLIENT_ID,
      displayName: 'tenantgate console',
      public: true,
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: consoleRedirectUris(publicUrl(config)),
      // A ceiling: each user receives what its roles allow in the selected tenant.
      scopes: [...moduleScopes, ...rolloutScopes, scopes.auditRead, scopes.auditFleet, ...openIdScopes],
    },
    SEED_ACTOR,
  );

  const users: DemoUser[] = [
    { username: 'alice', tenant: 'tenant-alpha', tenants: 'tenant-alpha tenant-bravo', roles: { 'tenant-alpha': 'admin', 'tenant-bravo': 'viewer' } },
    { username: 'bob', tenants: 'tenant-bravo', role: 'member' },
    // The fleet operator: reads every tenant as a viewer; fleet roles do the rest.
    { username: 'ops', tenant: 'tenant-alpha', tenants: 'tenant-alpha tenant-bravo tenant-charlie', role: 'viewer', fleetRoles: ['operator', 'auditor'] },
  ];
  for (const u of users) {
    const password = randomBytes(12).toString('base64url');
    await createUser(db, { ...u, password }, SEED_ACTOR);
    credentials.users[u.username] = { password, roles: describeRoles(u) };
  }
};

interface DemoUser {
  username: string;
  tenant?: string;
  tenants: string;
  role?: string;
  roles?: Record<string, string>;
  fleetRoles?: string[];
}

/** "tenant-alpha=admin tenant-bravo=viewer; fleet: operator" — what the credentials file and `up` print. */
export function describeRoles(holder: { tenant?: string; tenants?: string; role?: string; roles?: Record<string, string>; fleetRoles?: string[] }): string {
  const tenants = [...new Set([...(holder.tenant ? [holder.tenant] : []), ...(holder.tenants ?? '').split(' ').filter(Boolean)])].sort();
  const perTenant = tenants.map((t) => `${t}=${holder.roles?.[t] ?? holder.role ?? DEFAULT_TENANT_ROLE}`).join(' ');
  return holder.fleetRoles?.length ? `${perTenant}; fleet: ${holder.fleetRoles.join(', ')}` : perTenant;
}
