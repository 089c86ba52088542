/** Global CLI options shared by every command: config file, overrides, port and host. */
import { relative } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { findConfigFile, loadConfig, parseScalar } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { stateDir } from '../db/connect.ts';
import { readRunning, runningFile } from './running-stack.ts';

export interface GlobalOptions {
  config?: string;
  set?: string[];
  port?: string;
  host?: string;
}

/** One `key=value` per --set; repeating the option adds more (it never takes the next word as a value). */
function collectSetting(value: string, previous: string[] | undefined): string[] {
  if (value.indexOf('=') <= 0) throw new InvalidArgumentError(`expected key=value, e.g. --set server.basePort=9000`);
  return [...(previous ?? []), value];
}

export function addGlobalOptions(cmd: Command): Command {
  return (
    cmd
      // Subcommands copy this when they are created: every `… --help` lists the global options too.
      .configureHelp({ showGlobalOptions: true })
      .addOption(new Option('-c, --config <file>', 'config file (default: tenantgate.config.json|yaml in the working directory)'))
      .addOption(new Option('--set <key=value>', 'override a config value by dotted path; repeat for more, e.g. --set gateway.upstreamTimeoutMs=5000').argParser(collectSetting))
      .addOption(new Option('-p, --port <n>', 'base port: gateway on N, authority N+1, platform N+2, scanner N+3, graph N+4'))
      .addOption(new Option('--host <addr>', 'address to bind (default 127.0.0.1)'))
  );
}

export interface ConfigFromOptions {
  /**
   * Take over the settings of a `tenantgate up` running in this directory (its
   * `.tenantgate/running.json`) unless --config, --port or --host name another deployment.
   * Commands that start servers themselves say false.
   */
  joinRunning?: boolean;
}

export function configFrom(cmd: Command, options: ConfigFromOptions = {}): Config {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const overrides: Record<string, unknown> = {};
  for (const pair of opts.set ?? []) {
    const eq = pair.indexOf('=');
    overrides[pair.slice(0, eq)] = parseScalar(pair.slice(eq + 1));
  }
  if (opts.port !== undefined) overrides['server.basePort'] = Number(opts.port);
  if (opts.host !== undefined) overrides['server.host'] = opts.host;
  const config = loadConfig({ file: opts.config, overrides });
  const elsewhere = opts.config !== undefined || opts.port !== undefined || opts.host !== undefined;
  if (options.joinRunning === false || elsewhere) return config;
  const debug = ['debug', 'trace'].includes(config.server.logLevel) ? (m: string) => process.stderr.write(`debug: ${m}\n`) : undefined;
  const dir = stateDir(config);
  const running = readRunning(dir, debug);
  if (!running) return config;
  const file = runningFile(dir);
  const shown = relative(process.cwd(), file);
  return loadConfig({
    file: running.configFile ?? undefined,
    layers: [{ source: shown.startsWith('..') ? file : shown, settings: running.settings }],
    overrides,
  });
}

/** The config file this command reads (null when none), as `tenantgate up` records it. */
export function configFileFrom(cmd: Command): string | null {
  return findConfigFile(process.cwd(), cmd.optsWithGlobals<GlobalOptions>().config);
}
