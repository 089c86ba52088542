import type { Command } from 'commander';
import { clientView, createClient, deleteClient, listClients, updateClient, type ClientUpdate } from '../../authority/store/clients.ts';
import { assignmentInput, registerDisableCommands, registerMemberCommands, roleHelp, roleText, tenantText, withAssignmentOptions, type AssignmentOptions } from './holders.ts';
import { cliActor, print, runAdminCommand } from './tenants.ts';
import { knownScopes } from '../../authority/store/known-scopes.ts';
import { configFrom } from '../options.ts';

interface ClientOptions extends AssignmentOptions {
  name?: string;
  grant?: string[];
  scope?: string[];
  public?: boolean;
  redirectUri?: string[];
  allowedTenantsClaim?: boolean;
  rotateSecret?: boolean;
  idTokenAlg?: string;
}

function withClientOptions(cmd: Command): Command {
  cmd
    .option('--name <displayName>', 'display name')
    .option('--grant <types...>', 'grant types: client_credentials password authorization_code refresh_token')
    .option('--scope <scopes...>', 'scopes the client may receive');
  return withAssignmentOptions(cmd, `the client's own ${roleHelp.role}`)
    .option('--redirect-uri <uris...>', 'exact redirect URIs (authorization_code)')
    .option('--no-allowed-tenants-claim', 'omit the assigned-set claim from this client’s tokens')
    .option('--id-token-alg <alg>', 'ID token signing algorithm: RS256 (the default), or the access-token key\'s EdDSA or ES256');
}

function toInput(opts: ClientOptions, explicit: (name: string) => boolean): ClientUpdate {
  return {
    displayName: opts.name,
    grantTypes: opts.grant,
    scopes: opts.scope,
    ...assignmentInput(opts),
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
        for (const c of all) process.stdout.write(`${c.clientId.padEnd(22)} ${tenantText(c)} grants=${c.grantTypes.join(',')}${c.public ? ' public' : ''} ${roleText(c)}\n`);
      }),
    );
  withClientOptions(clients.command('add <clientId>').description('create a client; prints its secret once'))
    .option('--public', 'public client (no secret; PKCE required)', false)
    .action(async (clientId: string, opts: ClientOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const explicit = (name: string) => cmd.getOptionValueSource(name) === 'cli';
        print(await createClient(db, { clientId, public: opts.public, ...toInput(opts, explicit) }, cliActor(), undefined, knownScopes(configFrom(cmd))));
      }),
    );
  withClientOptions(clients.command('update <clientId>').description('change a client (only the options given)'))
    .option('--rotate-secret', 'issue a new secret (printed once)', false)
    .action(async (clientId: string, opts: ClientOptions, cmd: Command) =>
      runAdminCommand(cmd, async (db) => {
        const explicit = (name: string) => cmd.getOptionValueSource(name) === 'cli';
        print(await updateClient(db, clientId, { ...toInput(opts, explicit), rotateSecret: opts.rotateSecret }, cliActor(), undefined, knownScopes(configFrom(cmd))));
      }),
    );
  registerMemberCommands(clients, 'client', 'clientId', "assign a client to a tenant with a role (its own tokens' role there), or change that role");
  registerDisableCommands(clients, 'client', 'clientId', (db, id, disabled, actor) => updateClient(db, id, { disabled }, actor), {
    disable: 'disable a client: it gets no token, and every token issued to it (and to users through it) so far is revoked',
    enable: 'enable a disabled client again (the tokens revoked when it was disabled stay revoked)',
  });
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
