import type { Command } from 'commander';
import { clientView, createClient, deleteClient, listClients, updateClient, type ClientUpdate } from '../../authority/store/clients.ts';
import { assignMember, unassignMember } from '../../authority/store/membership.ts';
import { tenantRoles } from '../../contract/roles.ts';
import { roleHelp } from './users.ts';
import { cliActor, print, runAdminCommand } from './tenants.ts';

interface ClientOptions {
  name?: string;
  grant?: string[];
  scope?: string[];
  tenant?: string;
  tenants?: string;
  role?: string;
  roles?: string;
  fleetRoles?: string;
  public?: boolean;
  redirectUri?: string[];
  allowedTenantsClaim?: boolean;
  rotateSecret?: boolean;
  idTokenAlg?: string;
}

function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--name <displayName>', 'display name')
    .option('--grant <types...>', 'grant types: client_credentials password authorization_code refresh_token')
    .option('--scope <scopes...>', 'scopes the client may receive')
    .option('--tenant <id>', 'scalar default tenant')
    .option('--tenants <set>', 'assigned tenants, space- or comma-delimited')
    .option('--role <role>', `the client's own ${roleHelp.role}`)
    .option('--roles <tenant=role,...>', roleHelp.roles)
    .option('--fleet-roles <roles>', roleHelp.fleetRoles)
    .option('--redirect-uri <uris...>', 'exact redirect URIs (authorization_code)')
    .option('--no-allowed-tenants-claim', 'omit the assigned-set claim from this client’s tokens')
    .option('--id-token-alg <alg>', 'ID token signing algorithm: RS256 (the default), or the access-token key\'s EdDSA or ES256');
}

function toInput(opts: ClientOptions, explicit: (name: string) => boolean): ClientUpdate {
  return {
    displayName: opts.name,
    grantTypes: opts.grant,
    scopes: opts.scope,
    tenant: opts.tenant,
    tenants: opts.tenants,
    role: opts.role,
    roles: opts.roles,
    fleetRoles: opts.fleetRoles,
    redirectUris: opts.redirectUri,
    includeAllowedTenants: explicit('allowedTenantsClaim') ? opts.allowedTenantsClaim : undefined,
    idTokenSignedResponseAlg: opts.idTokenAlg,
  };
}

export function registerClients(program: Command): void {
  const clients = program.command('clients').description('OAuth clients of the Authority (changes are audited)');
  clients
    .command('list')
    .description('list clients and their tenant assignments')
    .option('--json', 'machine-readable output', false)
    .action(async (opts: { json: boolean }, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const all = (await listClients(db)).map(clientView);
        if (opts.json) return print(all);
        for (const c of all) {
          process.stdout.write(`${c.clientId.padEnd(22)} tenant=${c.tenant ?? '-'} tenants=${c.tenants.join(' ') || '-'} grants=${c.grantTypes.join(',')}${c.public ? ' public' : ''}`);
          const roles = Object.entries(c.roles).map(([t, r]) => `${t}=${r}`).join(',') || '-';
          process.stdout.write(` roles=${roles} fleet=${c.fleetRoles.join(',') || '-'}\n`);
        }
      }),
    );
  withClientOptions(clients.command('add <clientId>').description('create a client; prints its secret once'))
    .option('--public', 'public client (no secret; PKCE required)', false)
    .action(async (clientId: string, opts: ClientOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const explicit = (name: string) => cmd.getOptionValueSource(name) === 'cli';
        print(await createClient(db, { clientId, public: opts.public, ...toInput(opts, explicit) }, cliActor()));
      }),
    );
  withClientOptions(clients.command('update <clientId>').description('change a client (only the options given)'))
    .option('--rotate-secret', 'issue a new secret (printed once)', false)
    .action(async (clientId: string, opts: ClientOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const explicit = (name: string) => cmd.getOptionValueSource(name) === 'cli';
        print(await updateClient(db, clientId, { ...toInput(opts, explicit), rotateSecret: opts.rotateSecret }, cliActor()));
      }),
    );
  clients
    .command('assign <clientId> <tenant>')
    .description("assign a client to a tenant with a role (its own tokens' role there), or change that role")
    .option('--role <role>', `${tenantRoles.join(', ')} (default member; an existing member keeps its role)`)
    .action(async (clientId: string, tenant: string, opts: { role?: string }, cmd: Command) =>
      runAdminCommand(cmd, async (db) => print(await assignMember(db, 'client', clientId, tenant, opts.role, cliActor()))),
    );
  clients
    .command('unassign <clientId> <tenant>')
    .description('remove a client from a tenant')
    .action(async (clientId: string, tenant: string, _opts, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        await unassignMember(db, 'client', clientId, tenant, cliActor());
        process.stdout.write(`client ${clientId} removed from ${tenant}\n`);
      }),
    );
  clients
    .command('remove <clientId>')
    .description('delete a client and revoke its refresh tokens')
    .action(async (clientId: string, _opts, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        await deleteClient(db, clientId, cliActor());
        process.stdout.write(`client ${clientId} removed\n`);
      }),
    );
}
