/** GET /api/v1/graph/search?q= — nodes whose name or purl contains q (case-insensitive), paginated. */
import type { FastifyInstance } from 'fastify';
import { scopes } from '../../../contract/scopes.ts';
import type { Database } from '../../../db/database.ts';
import { requireScope } from '../../host.ts';
import { decodeCursor, pageLimit, pageQueryProperties, pageResponseSchema, toPage, type PageQuery } from '../../pagination.ts';
import { nodeSchema, problemSchema } from '../schemas.ts';
import { searchNodes } from '../store/node-store.ts';

export async function searchNodesRoute(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  app.get<{ Querystring: PageQuery & { q: string } }>(
    '/api/v1/graph/search',
    {
      preHandler: requireScope(scopes.graphRead),
      schema: {
        querystring: {
          type: 'object',
          required: ['q'],
          additionalProperties: false,
          properties: { q: { type: 'string', minLength: 1, maxLength: 200 }, ...pageQueryProperties },
        },
        response: { 200: pageResponseSchema(nodeSchema), '4xx': problemSchema },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const limit = pageLimit(req.query);
      const after = decodeCursor(req.query.cursor, 2);
      const rows = await opts.db.withTenant(tenant, (c) => searchNodes(c, req.query.q, after, limit));
      return toPage(rows, limit, (n) => [n.name.toLowerCase(), n.id]);
    },
  );
}
