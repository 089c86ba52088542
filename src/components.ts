/**
 * The startup lists, in one place: the components `tenantgate up` can start (in start
 * order, upstreams before the gateway), the route plugins the Authority mounts, and the
 * demo seeders with their order.
 */
import { startAuthority } from './authority/component.ts';
import { seedAuthorityDemo } from './authority/demo-seed.ts';
import type { ComponentName } from './config/schema.ts';
import type { NamedSeeder } from './demo/seed.ts';
import { startGateway } from './gateway/component.ts';
import type { RunningComponent } from './host/app.ts';
import type { ComponentContext } from './host/context.ts';
import type { NamedExtension } from './host/extension.ts';
import { startGraph } from './modules/graph/component.ts';
import { seedGraphDemo } from './modules/graph/demo-seed.ts';
import { startPlatform } from './modules/platform/component.ts';
import { seedPlatformDemo } from './modules/platform/demo-seed.ts';
import { startScanner } from './modules/scanner/component.ts';
import { seedScannerDemo } from './modules/scanner/demo/seed-scanner-demo.ts';
import { rolloutExtension } from './rollout/http/routes.ts';

export interface StartOptions {
  /** Route plugins the Authority mounts (default: `authorityExtensions`). */
  authorityExtensions?: readonly NamedExtension[];
}

export type ComponentStarter = (ctx: ComponentContext, port?: number, options?: StartOptions) => Promise<RunningComponent>;

/** The rollout controller's HTTP API lives behind the Authority's bearer authentication. */
export const authorityExtensions: readonly NamedExtension[] = [{ name: 'rollout', plugin: rolloutExtension }];

/** Tenants, clients and users first: the modules' demo rows belong to those tenants. */
export const demoSeeders: readonly NamedSeeder[] = [
  { name: 'authority', seed: seedAuthorityDemo },
  { name: 'platform', seed: seedPlatformDemo },
  { name: 'graph', seed: seedGraphDemo },
  { name: 'scanner', seed: seedScannerDemo },
];

export const componentStarters: Record<ComponentName, ComponentStarter> = {
  authority: (ctx, port, options) => startAuthority(ctx, port, { extensions: options?.authorityExtensions ?? authorityExtensions }),
  platform: (ctx, port) => startPlatform(ctx, port),
  scanner: (ctx, port) => startScanner(ctx, port),
  graph: (ctx, port) => startGraph(ctx, port),
  gateway: (ctx, port) => startGateway(ctx, port),
};

export const startOrder: readonly ComponentName[] = ['authority', 'platform', 'scanner', 'graph', 'gateway'];
