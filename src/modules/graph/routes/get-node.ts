/** GET /api/v1/graph/nodes/{id} — one node of this tenant's graph; another tenant's is 404. */
import type { FastifyInstance } from 'fastify';
import { ContractError } from '../../../contract/errors.ts';
import { scopes } from '../../../contract/scopes.ts';
import type { Database } from '../../../db/database.ts';
import { requireScope } from '../../host.ts';
import { nodeDetailSchema, nodeIdSchema, problemSchema } from '../schemas.ts';
import { getNode } from '../store/node-store.ts';

export function nodeNotFound(id: string): ContractError {
  return new ContractError('not_found', `node ${id} not found`);
}

export async function getNodeRoute(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/api/v1/graph/nodes/:id',
    {
      preHandler: requireScope(scopes.graphRead),
      schema: {
        params: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', maxLength: 64 } } },
        response: { 200: nodeDetailSchema, '4xx': problemSchema },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      // A malformed id is simply absent: the answer must not hint at which ids exist anywhere.
      const found = new RegExp(nodeIdSchema.pattern).test(req.params.id) ? await opts.db.withTenant(tenant, (c) => getNode(c, req.params.id)) : null;
      if (!found) throw nodeNotFound(req.params.id);
      return found;
    },
  );
}
