/** Global CLI options shared by every command: config file, overrides, port and host. */
import { Command, Option } from 'commander';
import { loadConfig, parseScalar } from '../config/load.ts';
import type { Config } from '../config/schema.ts';

export interface GlobalOptions {
  config?: string;
  set?: string[];
  port?: string;
  host?: string;
}

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-c, --config <file>', 'config file (default: tenantgate.config.json|yaml in the working directory)'))
    .addOption(new Option('--set <key=value...>', 'override a config value by dotted path, e.g. --set gateway.upstreamTimeoutMs=5000'))
    .addOption(new Option('-p, --port <n>', 'base port: gateway on N, authority N+1, platform N+2, scanner N+3, graph N+4'))
    .addOption(new Option('--host <addr>', 'address to bind (default 127.0.0.1)'));
}

export function configFrom(cmd: Command): Config {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const overrides: Record<string, unknown> = {};
  for (const pair of opts.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--set expects key=value, got ${JSON.stringify(pair)}`);
    overrides[pair.slice(0, eq)] = parseScalar(pair.slice(eq + 1));
  }
  if (opts.port !== undefined) overrides['server.basePort'] = Number(opts.port);
  if (opts.host !== undefined) overrides['server.host'] = opts.host;
  return loadConfig({ file: opts.config, overrides });
}
