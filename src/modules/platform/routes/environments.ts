/** Topology environments: list, create, read, replace, delete — all within the request's tenant. */
import type { FastifyInstance } from 'fastify';
import { ContractError } from '../../../contract/errors.ts';
import type { Database } from '../../../db/database.ts';
import { decodeCursor, pageLimit, pageQueryProperties, pageResponseSchema, toPage, type PageQuery } from '../../pagination.ts';
import { environmentCreateSchema, environmentParams, environmentSchema, environmentUpdateSchema, problemSchema } from '../schemas.ts';
import { createEnvironment, deleteEnvironment, getEnvironment, listEnvironments, updateEnvironment, type EnvironmentFields } from '../topology/environment-store.ts';

const BASE = '/api/v1/platform/topology/environments';

export function environmentNotFound(id: string): ContractError {
  return new ContractError('not_found', `environment ${id} not found`);
}

export async function environmentRoutes(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  const { db } = opts;

  app.get<{ Querystring: PageQuery }>(
    BASE,
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: { 200: pageResponseSchema(environmentSchema), '4xx': problemSchema },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const limit = pageLimit(req.query);
      const after = decodeCursor(req.query.cursor, 1);
      const rows = await db.withTenant(tenant, (c) => listEnvironments(c, after, limit));
      return toPage(rows, limit, (e) => [e.id]);
    },
  );

  app.post<{ Body: EnvironmentFields & { id: string } }>(
    BASE,
    { schema: { body: environmentCreateSchema, response: { 201: environmentSchema, '4xx': problemSchema } } },
    async (req, reply) => {
      const tenant = req.requireTenant();
      const { id, ...fields } = req.body;
      const created = await db.withTenant(tenant, (c) => createEnvironment(c, req.identity.actor, id, fields));
      if (!created) throw new ContractError('conflict', `environment ${id} already exists`);
      return reply.code(201).header('location', `${BASE}/${id}`).send(created);
    },
  );

  app.get<{ Params: { id: string } }>(
    `${BASE}/:id`,
    { schema: { params: environmentParams, response: { 200: environmentSchema, '4xx': problemSchema } } },
    async (req) => {
      const tenant = req.requireTenant();
      const found = await db.withTenant(tenant, (c) => getEnvironment(c, req.params.id));
      if (!found) throw environmentNotFound(req.params.id);
      return found;
    },
  );

  app.put<{ Params: { id: string }; Body: EnvironmentFields }>(
    `${BASE}/:id`,
    { schema: { params: environmentParams, body: environmentUpdateSchema, response: { 200: environmentSchema, '4xx': problemSchema } } },
    async (req) => {
      const tenant = req.requireTenant();
      const updated = await db.withTenant(tenant, (c) => updateEnvironment(c, req.params.id, req.body));
      if (!updated) throw environmentNotFound(req.params.id);
      return updated;
    },
  );

  app.delete<{ Params: { id: string } }>(
    `${BASE}/:id`,
    { schema: { params: environmentParams, response: { 204: { type: 'null' }, '4xx': problemSchema } } },
    async (req, reply) => {
      const tenant = req.requireTenant();
      const deleted = await db.withTenant(tenant, (c) => deleteEnvironment(c, req.params.id));
      if (!deleted) throw environmentNotFound(req.params.id);
      return reply.code(204).send();
    },
  );
}
