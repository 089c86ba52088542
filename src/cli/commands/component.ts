import cluster from 'node:cluster';
import type { Command } from 'commander';
import { componentNames, type ComponentName } from '../../config/schema.ts';
import { prepareDatabase } from '../../db/connect.ts';
import { startStack } from '../../stack.ts';
import { configFrom } from '../options.ts';
import { onShutdownSignal } from '../signals.ts';
import { gatewayWorkers, runGatewayPrimary, runGatewayWorker } from './gateway-workers.ts';

export function registerComponentCommands(program: Command): void {
  for (const name of componentNames) {
    program
      .command(name)
      .description(
        name === 'gateway'
          ? 'run only the gateway: gateway.workers processes on its one port, default one per CPU (scale out by running more copies against one database)'
          : `run only the ${name} (scale out by running more copies against one database)`,
      )
      .option('--migrate', "apply pending migrations before starting (needs the migrator's DATABASE_URL)", false)
      .option('--seed', 'seed demo data on an empty database', false)
      .action(async (opts: { migrate: boolean; seed: boolean }, cmd: Command) => {
        // A gateway worker runs this command line again; its primary hands it the rest.
        if (name === 'gateway' && cluster.isWorker) return runGatewayWorker();
        // A component starts its own server: it does not join a running `up`'s ports.
        const config = configFrom(cmd, { joinRunning: false });
        config.demo.seed = opts.seed;
        if (name === 'gateway' && gatewayWorkers(config) > 1) return runGatewayPrimary(config, gatewayWorkers(config), opts);
        // Only --migrate migrates an external database; otherwise the runtime role serves alone.
        const prepared = await prepareDatabase(config, { migrate: opts.migrate, reuseRunning: true });
        const stack = await startStack({ config, components: [name as ComponentName], prepared });
        onShutdownSignal(async () => {
          await stack.stop();
          await prepared.stop();
        });
        for (const c of stack.components) process.stdout.write(`${c.name} listening on ${c.url}\n`);
      });
  }
}
