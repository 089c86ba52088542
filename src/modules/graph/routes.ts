/** Every Graph route; each declares its own scope (nodes/search read, query, export, write). */
import type { FastifyInstance } from 'fastify';
import type { ComponentContext } from '../../host/context.ts';
import { exportGraphRoute } from './routes/export-graph.ts';
import { getNodeRoute } from './routes/get-node.ts';
import { ingestSbomRoute } from './routes/ingest-sbom.ts';
import { queryGraphRoute } from './routes/query-graph.ts';
import { searchNodesRoute } from './routes/search-nodes.ts';

export function graphRoutes(ctx: ComponentContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const opts = { db: ctx.db };
    await app.register(ingestSbomRoute, opts);
    await app.register(getNodeRoute, opts);
    await app.register(searchNodesRoute, opts);
    await app.register(queryGraphRoute, opts);
    await app.register(exportGraphRoute, opts);
  };
}
