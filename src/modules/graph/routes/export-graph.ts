/** GET /api/v1/graph/export — this tenant's nodes and edges as a streamed NDJSON document. */
import type { FastifyInstance } from 'fastify';
import { scopes } from '../../../contract/scopes.ts';
import type { Database } from '../../../db/database.ts';
import { requireScope } from '../../host.ts';
import { problemSchema } from '../schemas.ts';
import { exportGraphStream } from '../store/export-graph.ts';

export async function exportGraphRoute(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  app.get(
    '/api/v1/graph/export',
    {
      preHandler: requireScope(scopes.graphExport),
      schema: {
        response: { 200: { type: 'string', description: 'NDJSON: {"record":"node",…} lines, {"record":"edge","from","to"} lines, one {"record":"end","nodes","edges"} line' }, '4xx': problemSchema },
      },
    },
    async (req, reply) => {
      const tenant = req.requireTenant();
      return reply.type('application/x-ndjson').send(exportGraphStream(opts.db, tenant));
    },
  );
}
