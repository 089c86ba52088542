/** GET /api/v1/platform/context — the request's identity as the module resolved it. */
import type { FastifyInstance } from 'fastify';
import { contextSchema, problemSchema } from '../schemas.ts';

export async function contextRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/platform/context', { schema: { response: { 200: contextSchema, '4xx': problemSchema } } }, async (req) => {
    const { actor, client, scopes } = req.identity;
    return { tenant: req.requireTenant(), actor, client, scopes };
  });
}
