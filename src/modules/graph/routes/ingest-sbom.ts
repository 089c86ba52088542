/** POST /api/v1/graph/sboms — a CycloneDX JSON SBOM becomes nodes and edges in this tenant. */
import type { FastifyInstance } from 'fastify';
import { scopes } from '../../../contract/scopes.ts';
import type { Database } from '../../../db/database.ts';
import { requireScope } from '../../host.ts';
import { readCycloneDxGraph } from '../ingest/read-cyclonedx-graph.ts';
import { cycloneDxSchema, ingestResultSchema, problemSchema } from '../schemas.ts';
import { sbomIdFor, writeSbomGraph } from '../store/write-sbom-graph.ts';

export async function ingestSbomRoute(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  app.post<{ Body: Record<string, any> }>(
    '/api/v1/graph/sboms',
    {
      preHandler: requireScope(scopes.graphWrite),
      schema: { body: cycloneDxSchema, response: { 200: ingestResultSchema, 201: ingestResultSchema, '4xx': problemSchema } },
    },
    async (req, reply) => {
      const tenant = req.requireTenant();
      const graph = readCycloneDxGraph(req.body);
      const result = await opts.db.withTenant(tenant, (c) => writeSbomGraph(c, req.identity.actor, sbomIdFor(req.body), graph));
      return reply.code(result.duplicate ? 200 : 201).send({ ...result, skippedComponents: graph.skipped.slice(0, 100) });
    },
  );
}
