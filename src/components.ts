/**
 * The components `tenantgate up` can start, in start order (upstreams before the gateway).
 * Each entry loads lazily so running one component alone loads only its code.
 */
import type { ComponentName } from './config/schema.ts';
import type { RunningComponent } from './host/app.ts';
import type { ComponentContext } from './host/context.ts';

export type ComponentStarter = (ctx: ComponentContext, port?: number) => Promise<RunningComponent>;

export const componentStarters: Partial<Record<ComponentName, () => Promise<ComponentStarter>>> = {};

export const startOrder: ComponentName[] = ['authority', 'platform', 'scanner', 'graph', 'gateway'];

export function availableComponents(): ComponentName[] {
  return startOrder.filter((name) => componentStarters[name] !== undefined);
}
componentStarters.platform = async () => (await import('./modules/platform/component.ts')).startPlatform;
componentStarters.gateway = async () => (await import('./gateway/component.ts')).startGateway;
componentStarters.scanner = async () => (await import('./modules/scanner/component.ts')).startScanner;
componentStarters.graph = async () => (await import('./modules/graph/component.ts')).startGraph;
componentStarters.authority = async () => (await import('./authority/component.ts')).startAuthority;
