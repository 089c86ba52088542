/**
 * A whole tenantgate stack for one test file: fresh database, free ports, the demo seed,
 * real HTTP between components. `stop()` closes everything and drops the database.
 */
import type { ComponentName } from '../../src/config/schema.ts';
import { componentUrl } from '../../src/config/schema.ts';
import { readDemoCredentials, type DemoCredentials } from '../../src/demo/credentials.ts';
import type { StartOptions } from '../../src/components.ts';
import { startStack, type Stack } from '../../src/stack.ts';
import type { Clock } from '../../src/telemetry/clock.ts';
import type { Config } from '../../src/config/schema.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { freeBasePort } from './ports.ts';

export interface TestStack {
  t: TestDatabase;
  stack: Stack;
  config: Config;
  credentials: DemoCredentials;
  url(component: ComponentName): string;
  stop(): Promise<void>;
}

export async function startTestStack(options: { components?: ComponentName[]; seed?: boolean; overrides?: Record<string, unknown>; clock?: Clock; start?: StartOptions } = {}): Promise<TestStack> {
  const t = await createTestDatabase();
  const basePort = await freeBasePort();
  const config = t.config({ 'server.basePort': basePort, 'demo.seed': options.seed ?? true, ...options.overrides });
  let stack: Stack;
  try {
    stack = await startStack({ config, prepared: t.prepared, components: options.components, clock: options.clock, cwd: t.stateDir, start: options.start });
  } catch (err) {
    await t.drop();
    throw err;
  }
  const credentials = readDemoCredentials(stack.credentialsFile) ?? { clients: {}, users: {} };
  return {
    t,
    stack,
    config,
    credentials,
    url: (component) => componentUrl(config, component),
    stop: async () => {
      await stack.stop();
      await t.drop();
    },
  };
}
