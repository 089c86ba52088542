/**
 * The admin API: tenants, clients and users (list/get/create/update/delete) and the audit
 * log. Every change is validated by the store (stable codes, nothing changes on refusal) and
 * audited with the before and after assignment in the same transaction.
 */
import type { FastifyInstance } from 'fastify';
import { ContractError } from '../../contract/errors.ts';
import { scopes } from '../../contract/scopes.ts';
import { queryAudit } from '../../telemetry/audit.ts';
import type { AuthorityServices } from '../services.ts';
import { clientView, createClient, deleteClient, findClient, listClients, updateClient } from '../store/clients.ts';
import { createTenant, deleteTenant, getTenant, listTenants, updateTenant } from '../store/tenants.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser, userView } from '../store/users.ts';
import type { BearerAuthentication } from './authenticate.ts';

const stringArray = { type: 'array', items: { type: 'string' } } as const;
const tenantView = { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' } } } as const;
const assignmentFields = { tenant: { type: ['string', 'null'] }, tenants: stringArray } as const;
const clientViewSchema = {
  type: 'object',
  properties: {
    clientId: { type: 'string' },
    displayName: { type: 'string' },
    public: { type: 'boolean' },
    grantTypes: stringArray,
    scopes: stringArray,
    ...assignmentFields,
    redirectUris: stringArray,
    includeAllowedTenants: { type: 'boolean' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;
const userViewSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, username: { type: 'string' }, ...assignmentFields, scopes: stringArray, createdAt: { type: 'string' }, updatedAt: { type: 'string' } },
} as const;

// Assignment fields stay untyped here: the store answers their errors with the contract's stable codes.
const clientBody = {
  type: 'object',
  properties: {
    clientId: { type: 'string' },
    displayName: { type: 'string' },
    grantTypes: stringArray,
    scopes: stringArray,
    public: { type: 'boolean' },
    redirectUris: stringArray,
    includeAllowedTenants: { type: 'boolean' },
    rotateSecret: { type: 'boolean' },
  },
} as const;
const userBody = { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' }, scopes: stringArray } } as const;
const tenantBody = { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' } } } as const;
const idParams = (name: string) => ({ type: 'object', properties: { [name]: { type: 'string' } }, required: [name] }) as const;

const adminReadScopes = [scopes.auditRead, scopes.tenantsRead, scopes.clientsRead, scopes.usersRead];

export function adminRoutes(services: AuthorityServices, auth: BearerAuthentication) {
  const { db } = services.ctx;
  const actor = (req: { principal: { subject: string; clientId: string } | null }) => req.principal!.subject;

  return async (app: FastifyInstance) => {
    // Tenants
    app.get('/admin/tenants', { preHandler: auth.requireScope(scopes.tenantsRead), schema: { response: { 200: { type: 'object', properties: { items: { type: 'array', items: tenantView } } } } } }, async () => ({
      items: await listTenants(db),
    }));
    app.get<{ Params: { id: string } }>('/admin/tenants/:id', { preHandler: auth.requireScope(scopes.tenantsRead), schema: { params: idParams('id'), response: { 200: tenantView } } }, async (req) => {
      const tenant = await getTenant(db, req.params.id);
      if (!tenant) throw new ContractError('not_found', `tenant '${req.params.id}' does not exist`);
      return tenant;
    });
    app.post('/admin/tenants', { preHandler: auth.requireScope(scopes.tenantsWrite), schema: { body: tenantBody, response: { 201: tenantView } } }, async (req, reply) => {
      const body = req.body as { id?: unknown; displayName?: unknown };
      return reply.code(201).send(await createTenant(db, body, actor(req)));
    });
    app.patch<{ Params: { id: string } }>('/admin/tenants/:id', { preHandler: auth.requireScope(scopes.tenantsWrite), schema: { params: idParams('id'), body: tenantBody, response: { 200: tenantView } } }, async (req) =>
      updateTenant(db, req.params.id, req.body as { displayName?: unknown }, actor(req)),
    );
    app.delete<{ Params: { id: string } }>('/admin/tenants/:id', { preHandler: auth.requireScope(scopes.tenantsWrite), schema: { params: idParams('id') } }, async (req, reply) => {
      await deleteTenant(db, req.params.id, actor(req));
      return reply.code(204).send();
    });

    // Clients
    app.get('/admin/clients', { preHandler: auth.requireScope(scopes.clientsRead), schema: { response: { 200: { type: 'object', properties: { items: { type: 'array', items: clientViewSchema } } } } } }, async () => ({
      items: (await listClients(db)).map(clientView),
    }));
    app.get<{ Params: { clientId: string } }>('/admin/clients/:clientId', { preHandler: auth.requireScope(scopes.clientsRead), schema: { params: idParams('clientId'), response: { 200: clientViewSchema } } }, async (req) => {
      const client = await findClient(db, req.params.clientId);
      if (!client) throw new ContractError('not_found', `client '${req.params.clientId}' does not exist`);
      return clientView(client);
    });
    const withSecret = { type: 'object', properties: { client: clientViewSchema, clientSecret: { type: ['string', 'null'] } } } as const;
    app.post('/admin/clients', { preHandler: auth.requireScope(scopes.clientsWrite), schema: { body: clientBody, response: { 201: withSecret } } }, async (req, reply) => {
      const created = await createClient(db, req.body as Record<string, unknown>, actor(req));
      services.clients.invalidate(created.client.clientId);
      return reply.code(201).header('cache-control', 'no-store').send(created);
    });
    app.patch<{ Params: { clientId: string } }>('/admin/clients/:clientId', { preHandler: auth.requireScope(scopes.clientsWrite), schema: { params: idParams('clientId'), body: clientBody, response: { 200: withSecret } } }, async (req, reply) => {
      const updated = await updateClient(db, req.params.clientId, req.body as Record<string, unknown>, actor(req));
      services.clients.invalidate(req.params.clientId);
      return reply.header('cache-control', 'no-store').send(updated);
    });
    app.delete<{ Params: { clientId: string } }>('/admin/clients/:clientId', { preHandler: auth.requireScope(scopes.clientsWrite), schema: { params: idParams('clientId') } }, async (req, reply) => {
      await deleteClient(db, req.params.clientId, actor(req));
      services.clients.invalidate(req.params.clientId);
      return reply.code(204).send();
    });

    // Users
    app.get('/admin/users', { preHandler: auth.requireScope(scopes.usersRead), schema: { response: { 200: { type: 'object', properties: { items: { type: 'array', items: userViewSchema } } } } } }, async () => ({
      items: (await listUsers(db)).map(userView),
    }));
    app.get<{ Params: { username: string } }>('/admin/users/:username', { preHandler: auth.requireScope(scopes.usersRead), schema: { params: idParams('username'), response: { 200: userViewSchema } } }, async (req) => {
      const user = await getUser(db, req.params.username);
      if (!user) throw new ContractError('not_found', `user '${req.params.username}' does not exist`);
      return userView(user);
    });
    app.post('/admin/users', { preHandler: auth.requireScope(scopes.usersWrite), schema: { body: userBody, response: { 201: userViewSchema } } }, async (req, reply) =>
      reply.code(201).send(await createUser(db, req.body as Record<string, unknown>, actor(req))),
    );
    app.patch<{ Params: { username: string } }>('/admin/users/:username', { preHandler: auth.requireScope(scopes.usersWrite), schema: { params: idParams('username'), body: userBody, response: { 200: userViewSchema } } }, async (req) =>
      updateUser(db, req.params.username, req.body as Record<string, unknown>, actor(req)),
    );
    app.delete<{ Params: { username: string } }>('/admin/users/:username', { preHandler: auth.requireScope(scopes.usersWrite), schema: { params: idParams('username') } }, async (req, reply) => {
      await deleteUser(db, req.params.username, actor(req));
      return reply.code(204).send();
    });

    // Audit
    app.get<{ Querystring: { type?: string; client?: string; tenant?: string; actor?: string; from?: string; to?: string; cursor?: string; limit?: number } }>(
      '/admin/audit',
      {
        preHandler: auth.requireAnyScope(adminReadScopes),
        schema: {
          querystring: {
            type: 'object',
            properties: {
              type: { type: 'string', maxLength: 200 },
              client: { type: 'string', maxLength: 200 },
              tenant: { type: 'string', maxLength: 200 },
              actor: { type: 'string', maxLength: 200 },
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              cursor: { type: 'string', maxLength: 200 },
              limit: { type: 'integer', minimum: 1, maximum: 500 },
            },
          },
        },
      },
      async (req) => {
        const q = req.query;
        return queryAudit(db, {
          type: q.type,
          client: q.client,
          tenant: q.tenant,
          actor: q.actor,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
          cursor: q.cursor,
          limit: q.limit,
        });
      },
    );
  };
}
