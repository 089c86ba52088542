/** Every Platform route, behind the per-method scope check (defense in depth after the gateway). */
import type { FastifyInstance } from 'fastify';
import { scopes } from '../../contract/scopes.ts';
import type { ComponentContext } from '../../host/context.ts';
import { requireScopeByMethod } from '../host.ts';
import { contextRoutes } from './routes/context.ts';
import { environmentRoutes } from './routes/environments.ts';
import { preferencesRoutes } from './routes/preferences.ts';
import { targetRoutes } from './routes/targets.ts';

export function platformRoutes(ctx: ComponentContext) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (scoped) => {
      scoped.addHook('preHandler', requireScopeByMethod(scopes.platformRead, scopes.platformWrite));
      await scoped.register(contextRoutes, { db: ctx.db });
      await scoped.register(preferencesRoutes, { db: ctx.db });
      await scoped.register(environmentRoutes, { db: ctx.db });
      await scoped.register(targetRoutes, { db: ctx.db });
    });
  };
}
