/** The `tenantgate` command: parses, calls the library, prints (started by ./main.ts). */
import { Command } from 'commander';
import { cliFailure } from './exit.ts';
import { addGlobalOptions } from './options.ts';
import { registerUp } from './commands/up.ts';
import { registerComponentCommands } from './commands/component.ts';
import { registerConfig } from './commands/config.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerFlags } from './commands/flags.ts';
import { registerRollout } from './commands/rollout.ts';
import { registerEvidence } from './commands/evidence.ts';
import { registerMatrix } from './commands/matrix.ts';
import { registerConsoleMatrix } from './commands/console-matrix.ts';
import { registerKeys } from './commands/keys.ts';
import { registerTenants } from './commands/tenants.ts';
import { registerClients } from './commands/clients.ts';
import { registerUsers } from './commands/users.ts';

const program = addGlobalOptions(new Command('tenantgate'))
  .description('one selected tenant per access token — authority, gateway, tenant-scoped services and rollout controller')
  .showHelpAfterError()
  .exitOverride();

registerUp(program);
registerComponentCommands(program);
registerConfig(program);
registerMigrate(program);
registerFlags(program);
registerRollout(program);
registerEvidence(program);
registerMatrix(program);
registerConsoleMatrix(program);
registerKeys(program);
registerTenants(program);
registerClients(program);
registerUsers(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const failure = cliFailure(err);
  if (failure.message) process.stderr.write(failure.message + '\n');
  process.exit(failure.exitCode);
}
