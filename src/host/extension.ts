/**
 * Route plugins one component mounts for another area (the Authority mounts the rollout
 * controller's HTTP API behind its bearer authentication). The type lives below the
 * components so neither side imports the other; the startup code names the list.
 */
import type { FastifyPluginAsync, preHandlerHookHandler } from 'fastify';
import type { ComponentContext } from './context.ts';

export interface ExtensionOptions {
  ctx: ComponentContext;
  /** preHandler that answers 401/403 unless the bearer token holds `scope` (any valid token when scope is null). */
  requireScope: (scope: string | null) => preHandlerHookHandler;
}

export type ComponentExtension = FastifyPluginAsync<ExtensionOptions>;

export interface NamedExtension {
  name: string;
  plugin: ComponentExtension;
}
