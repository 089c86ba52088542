/** POST /api/v1/graph/query — neighbours of a node or dependency paths between two, depth-bounded. */
import type { FastifyInstance } from 'fastify';
import { ContractError } from '../../../contract/errors.ts';
import { scopes } from '../../../contract/scopes.ts';
import type { Database } from '../../../db/database.ts';
import { requireScope } from '../../host.ts';
import { problemSchema, queryBodySchema, queryResultSchema } from '../schemas.ts';
import { getNode } from '../store/node-store.ts';
import { dependencyPaths, neighbours, type Direction } from '../store/traverse-graph.ts';
import { nodeNotFound } from './get-node.ts';

interface QueryBody {
  kind: 'neighbours' | 'paths';
  node: string;
  to?: string;
  direction: Direction;
  depth: number;
  limit: number;
}

/** A traversal that takes longer than this is cancelled by PostgreSQL (503 to the caller). */
const QUERY_TIMEOUT = '5s';
const QUERY_CANCELED = '57014';

export async function queryGraphRoute(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  app.post<{ Body: QueryBody }>(
    '/api/v1/graph/query',
    {
      preHandler: requireScope(scopes.graphQuery),
      schema: { body: queryBodySchema, response: { 200: queryResultSchema, '4xx': problemSchema } },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const { kind, node, to, direction, depth, limit } = req.body;
      if (kind === 'paths' && !to) throw new ContractError('validation_failed', 'a paths query needs `to`');
      const run = opts.db.withTenant(tenant, async (c) => {
        await c.query(`set local statement_timeout = '${QUERY_TIMEOUT}'`);
        if (!(await getNode(c, node))) throw nodeNotFound(node);
        if (kind === 'neighbours') return { kind, node, depth, ...(await neighbours(c, node, direction, depth, limit)) };
        if (!(await getNode(c, to!))) throw nodeNotFound(to!);
        return { kind, node, to, depth, paths: await dependencyPaths(c, node, to!, depth, limit) };
      });
      return run.catch((err) => {
        if ((err as { code?: string }).code === QUERY_CANCELED) throw new ContractError('unavailable', 'the traversal exceeded its time budget; lower depth or limit');
        throw err;
      });
    },
  );
}
