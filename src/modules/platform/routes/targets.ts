/** Targets under an environment. An environment of another tenant is absent: 404, like a missing one. */
import type { FastifyInstance } from 'fastify';
import type { TenantTx } from '../../../db/database.ts';
import { ContractError } from '../../../contract/errors.ts';
import type { Database } from '../../../db/database.ts';
import { decodeCursor, pageLimit, pageQueryProperties, pageResponseSchema, toPage, type PageQuery } from '../../pagination.ts';
import { environmentParams, problemSchema, targetCreateSchema, targetParams, targetSchema, targetUpdateSchema } from '../schemas.ts';
import { getEnvironment } from '../topology/environment-store.ts';
import { createTarget, deleteTarget, getTarget, listTargets, updateTarget, type TargetFields } from '../topology/target-store.ts';
import { environmentNotFound } from './environments.ts';

const BASE = '/api/v1/platform/topology/environments/:id/targets';

function targetNotFound(environmentId: string, id: string): ContractError {
  return new ContractError('not_found', `target ${id} not found in environment ${environmentId}`);
}

async function requireEnvironment(c: TenantTx, id: string): Promise<void> {
  if (!(await getEnvironment(c, id))) throw environmentNotFound(id);
}

export async function targetRoutes(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  const { db } = opts;

  app.get<{ Params: { id: string }; Querystring: PageQuery }>(
    BASE,
    {
      schema: {
        params: environmentParams,
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: { 200: pageResponseSchema(targetSchema), '4xx': problemSchema },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const limit = pageLimit(req.query);
      const after = decodeCursor(req.query.cursor, 1);
      const rows = await db.withTenant(tenant, async (c) => {
        await requireEnvironment(c, req.params.id);
        return listTargets(c, req.params.id, after, limit);
      });
      return toPage(rows, limit, (t) => [t.id]);
    },
  );

  app.post<{ Params: { id: string }; Body: TargetFields & { id: string } }>(
    BASE,
    { schema: { params: environmentParams, body: targetCreateSchema, response: { 201: targetSchema, '4xx': problemSchema } } },
    async (req, reply) => {
      const tenant = req.requireTenant();
      const { id, ...fields } = req.body;
      const created = await db.withTenant(tenant, async (c) => {
        await requireEnvironment(c, req.params.id);
        return createTarget(c, req.params.id, id, fields);
      });
      if (!created) throw new ContractError('conflict', `target ${id} already exists in environment ${req.params.id}`);
      return reply.code(201).header('location', `/api/v1/platform/topology/environments/${req.params.id}/targets/${id}`).send(created);
    },
  );

  app.get<{ Params: { id: string; targetId: string } }>(
    `${BASE}/:targetId`,
    { schema: { params: targetParams, response: { 200: targetSchema, '4xx': problemSchema } } },
    async (req) => {
      const tenant = req.requireTenant();
      const found = await db.withTenant(tenant, (c) => getTarget(c, req.params.id, req.params.targetId));
      if (!found) throw targetNotFound(req.params.id, req.params.targetId);
      return found;
    },
  );

  app.put<{ Params: { id: string; targetId: string }; Body: TargetFields }>(
    `${BASE}/:targetId`,
    { schema: { params: targetParams, body: targetUpdateSchema, response: { 200: targetSchema, '4xx': problemSchema } } },
    async (req) => {
      const tenant = req.requireTenant();
      const updated = await db.withTenant(tenant, (c) => updateTarget(c, req.params.id, req.params.targetId, req.body));
      if (!updated) throw targetNotFound(req.params.id, req.params.targetId);
      return updated;
    },
  );

  app.delete<{ Params: { id: string; targetId: string } }>(
    `${BASE}/:targetId`,
    { schema: { params: targetParams, response: { 204: { type: 'null' }, '4xx': problemSchema } } },
    async (req, reply) => {
      const tenant = req.requireTenant();
      const deleted = await db.withTenant(tenant, (c) => deleteTarget(c, req.params.id, req.params.targetId));
      if (!deleted) throw targetNotFound(req.params.id, req.params.targetId);
      return reply.code(204).send();
    },
  );
}
