/** Every Scanner route, behind the shared tenant context and per-method scopes. */
import type { FastifyInstance } from 'fastify';
import { scopes } from '../../../contract/scopes.ts';
import type { ComponentContext } from '../../../host/context.ts';
import { requireScopeByMethod } from '../../host.ts';
import { scanRoutes } from './scan-routes.ts';
import { summaryRoute } from './summary-route.ts';
import { triageRoutes } from './triage-routes.ts';
import { unknownRoutes } from './unknown-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';

export function scannerRoutes(ctx: ComponentContext, onEnqueued: () => void) {
  return async (app: FastifyInstance): Promise<void> => {
    const scoped = requireScopeByMethod(scopes.scannerRead, scopes.scannerWrite);
    // The public webhook receive route has no identity, hence no scope: it authenticates by HMAC.
    app.addHook('preHandler', async function scannerScopes(req, reply) {
      if (req.routeOptions.config?.tenantContext === 'none' || req.is404) return;
      const url = req.routeOptions.url;
      if (url === '/healthz' || url === '/readyz' || url === '/metrics') return;
      await scoped.call(this as never, req, reply);
    });
    // Before /api/v1/scans/:id (a static segment wins over the parameter either way).
    await summaryRoute(app, { ctx });
    await scanRoutes(app, { ctx, onEnqueued });
    await triageRoutes(app, { ctx });
    await unknownRoutes(app, { ctx });
    await webhookRoutes(app, { ctx, onEnqueued });
  };
}
