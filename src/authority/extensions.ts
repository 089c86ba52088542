/**
 * Route plugins other areas mount inside the Authority process (which already verifies
 * bearer tokens for /console/* and /admin/*): the rollout controller's HTTP API and the
 * console telemetry endpoint live here.
 */
import type { FastifyPluginAsync, preHandlerHookHandler } from 'fastify';
import type { ComponentContext } from '../host/context.ts';

export interface AuthorityExtensionOptions {
  ctx: ComponentContext;
  /** preHandler that answers 401/403 unless the bearer token holds `scope` (any valid token when scope is null). */
  requireScope: (scope: string | null) => preHandlerHookHandler;
}

export type AuthorityExtension = FastifyPluginAsync<AuthorityExtensionOptions>;

/** Loaded and registered by the Authority component, in order. */
export const authorityExtensions: { name: string; load: () => Promise<AuthorityExtension> }[] = [];
authorityExtensions.push({ name: 'rollout', load: async () => (await import('../rollout/http/routes.ts')).rolloutExtension });
