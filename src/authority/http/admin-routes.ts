/**
 * The admin API: tenants, clients and users (list/get/create/update/delete), tenant
 * membership and the audit log. Every change is validated by the store (stable codes,
 * nothing changes on refusal) and audited with the before and after assignment in the same
 * transaction.
 *
 * Reach (docs/authority.md, "Roles"): fleet scopes (`authority:fleet.*`, `authority:tenants.*`,
 * `authority:audit.fleet`) reach every tenant; a tenant admin's scopes (`authority:clients.*`,
 * `authority:users.*`, `authority:audit.read`) reach only the token's selected tenant: its
 * members, the clients and users it holds alone, and its own audit events.
 */
import { actorIds, actorName, lookupPeople } from '../../identity/people.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ContractError } from '../../contract/errors.ts';
import { scopes } from '../../contract/scopes.ts';
import { normalizeTenantId } from '../../contract/tenant.ts';
import { queryAudit } from '../../telemetry/audit.ts';
import type { AuthorityServices } from '../services.ts';
import { assignedTenants, fleetReach, type Assignment, type TenantRoles, type WriteReach } from '../store/assignment.ts';
import { clientView, createClient, deleteClient, findClient, listClients, updateClient } from '../store/clients.ts';
import { assignMember, unassignMember, type MemberKind } from '../store/membership.ts';
import { createTenant, deleteTenant, getTenant, listTenants, updateTenant } from '../store/tenants.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser, userView } from '../store/users.ts';
import type { BearerAuthentication } from './authenticate.ts';

const stringArray = { type: 'array', items: { type: 'string' } } as const;
const tenantView = { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' }, synthetic: { type: 'boolean' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' } } } as const;
const assignmentFields = {
  tenant: { type: ['string', 'null'] },
  tenants: stringArray,
  roles: { type: 'object', additionalProperties: { type: 'string' } },
  fleetRoles: stringArray,
} as const;
const disabledFields = { disabled: { type: 'boolean' }, disabledAt: { type: ['string', 'null'] } } as const;
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
    ...disabledFields,
    idTokenSignedResponseAlg: { type: ['string', 'null'] },
    synthetic: { type: 'boolean' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;
const userViewSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, username: { type: 'string' }, ...assignmentFields, ...disabledFields, createdAt: { type: 'string' }, updatedAt: { type: 'string' } },
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
    idTokenSignedResponseAlg: {},
    rotateSecret: { type: 'boolean' },
    role: { type: 'string' },
    disabled: { type: 'boolean' },
    synthetic: { type: 'boolean' },
  },
} as const;
const userBody = { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' }, disabled: { type: 'boolean' } } } as const;
const memberBody = { type: 'object', properties: { role: { type: 'string' } } } as const;
const memberParams = (name: string) => ({ type: 'object', properties: { id: { type: 'string' }, [name]: { type: 'string' } }, required: ['id', name] }) as const;
const memberView = {
  type: 'object',
  properties: { kind: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, userId: { type: 'string' }, tenant: { type: 'string' }, role: { type: 'string' } },
} as const;
const tenantBody = { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' }, synthetic: { type: 'boolean' } } } as const;
const idParams = (name: string) => ({ type: 'object', properties: { [name]: { type: 'string' } }, required: [name] }) as const;

const readScopes = { client: scopes.clientsRead, user: scopes.usersRead } as const;
const writeScopes = { client: scopes.clientsWrite, user: scopes.usersWrite } as const;

/** The one tenant a reader is limited to, or null when a fleet scope lets it read every tenant. */
function readReach(req: FastifyRequest, kind: MemberKind): string | null {
  const p = req.principal!;
  if (p.scopes.includes(scopes.fleetRead) || p.scopes.includes(scopes.fleetWrite)) return null;
  if (p.scopes.includes(readScopes[kind]) || p.scopes.includes(writeScopes[kind])) return p.tenant;
  throw new ContractError('insufficient_scope', `this route requires the scope ${scopes.fleetRead} or ${readScopes[kind]}`, { requiredScope: readScopes[kind] });
}

function writeReach(req: FastifyRequest, kind: MemberKind): WriteReach {
  const p = req.principal!;
  if (p.scopes.includes(scopes.fleetWrite)) return fleetReach;
  if (p.scopes.includes(writeScopes[kind])) return { tenant: p.tenant };
  throw new ContractError('insufficient_scope', `this route requires the scope ${scopes.fleetWrite} or ${writeScopes[kind]}`, { requiredScope: writeScopes[kind] });
}

/** What a tenant admin sees of a record: its membership in the admin's tenant, not the others. */
function narrowed<T extends Assignment & { roles: TenantRoles }>(record: T, tenant: string | null): T | null {
  if (tenant === null) return record;
  if (!assignedTenants(record).includes(tenant)) return null;
  return { ...record, tenant: record.tenant === tenant ? tenant : null, tenants: record.tenants.filter((t) => t === tenant), roles: { [tenant]: record.roles[tenant] } };
}

export function adminRoutes(services: AuthorityServices, auth: BearerAuthentication) {
  const { db } = services.ctx;
  const actor = (req: { principal: { subject: string; clientId: string } | null }) => req.principal!.subject;
  const canRead = (kind: MemberKind) => auth.requireAnyScope([scopes.fleetRead, scopes.fleetWrite, readScopes[kind], writeScopes[kind]]);
  const canWrite = (kind: MemberKind) => auth.requireAnyScope([scopes.fleetWrite, writeScopes[kind]]);

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
      const body = req.body as { id?: unknown; displayName?: unknown; synthetic?: unknown };
      return reply.code(201).send(await createTenant(db, body, actor(req)));
    });
    app.patch<{ Params: { id: string } }>('/admin/tenants/:id', { preHandler: auth.requireScope(scopes.tenantsWrite), schema: { params: idParams('id'), body: tenantBody, response: { 200: tenantView } } }, async (req) =>
      updateTenant(db, req.params.id, req.body as { displayName?: unknown }, actor(req)),
    );
    app.delete<{ Params: { id: string } }>('/admin/tenants/:id', { preHandler: auth.requireScope(scopes.tenantsWrite), schema: { params: idParams('id') } }, async (req, reply) => {
      await deleteTenant(db, req.params.id, actor(req));
      return reply.code(204).send();
    });

    /**
     * GET a list and GET one of clients or users, narrowed to the reader's reach; DELETE one.
     * `forget` runs after a deletion (the client cache).
     */
    const recordRoutes = <T extends Assignment & { roles: TenantRoles }>(
      kind: MemberKind,
      path: string,
      param: string,
      view: object,
      store: { list: () => Promise<T[]>; find: (ref: string) => Promise<T | null>; remove: (ref: string, req: FastifyRequest) => Promise<void> },
    ) => {
      app.get(path, { preHandler: canRead(kind), schema: { response: { 200: { type: 'object', properties: { items: { type: 'array', items: view } } } } } }, async (req) => {
        const tenant = readReach(req, kind);
        return { items: (await store.list()).flatMap((r) => narrowed(r, tenant) ?? []) };
      });
      app.get<{ Params: Record<string, string> }>(`${path}/:${param}`, { preHandler: canRead(kind), schema: { params: idParams(param), response: { 200: view } } }, async (req) => {
        const found = await store.find(req.params[param]);
        const record = found ? narrowed(found, readReach(req, kind)) : null;
        if (!record) throw new ContractError('not_found', `${kind} '${req.params[param]}' does not exist`);
        return record;
      });
      app.delete<{ Params: Record<string, string> }>(`${path}/:${param}`, { preHandler: canWrite(kind), schema: { params: idParams(param) } }, async (req, reply) => {
        await store.remove(req.params[param], req);
        return reply.code(204).send();
      });
    };

    // Clients
    recordRoutes('client', '/admin/clients', 'clientId', clientViewSchema, {
      list: async () => (await listClients(db)).map(clientView),
      find: async (id) => {
        const found = await findClient(db, id);
        return found && clientView(found);
      },
      remove: async (id, req) => {
        await deleteClient(db, id, actor(req), writeReach(req, 'client'));
        services.clients.invalidate(id);
      },
    });
    const withSecret = { type: 'object', properties: { client: clientViewSchema, clientSecret: { type: ['string', 'null'] } } } as const;
    app.post('/admin/clients', { preHandler: canWrite('client'), schema: { body: clientBody, response: { 201: withSecret } } }, async (req, reply) => {
      const created = await createClient(db, req.body as Record<string, unknown>, actor(req), writeReach(req, 'client'), services.knownScopes);
      services.clients.invalidate(created.client.clientId);
      return reply.code(201).header('cache-control', 'no-store').send(created);
    });
    app.patch<{ Params: { clientId: string } }>('/admin/clients/:clientId', { preHandler: canWrite('client'), schema: { params: idParams('clientId'), body: clientBody, response: { 200: withSecret } } }, async (req, reply) => {
      const updated = await updateClient(db, req.params.clientId, req.body as Record<string, unknown>, actor(req), writeReach(req, 'client'), services.knownScopes);
      services.clients.invalidate(req.params.clientId);
      return reply.header('cache-control', 'no-store').send(updated);
    });

    // Users
    recordRoutes('user', '/admin/users', 'username', userViewSchema, {
      list: async () => (await listUsers(db)).map(userView),
      find: async (ref) => {
        const found = await getUser(db, ref);
        return found && userView(found);
      },
      remove: (ref, req) => deleteUser(db, ref, actor(req), writeReach(req, 'user')),
    });
    app.post('/admin/users', { preHandler: canWrite('user'), schema: { body: userBody, response: { 201: userViewSchema } } }, async (req, reply) =>
      reply.code(201).send(await createUser(db, req.body as Record<string, unknown>, actor(req), writeReach(req, 'user'))),
    );
    app.patch<{ Params: { username: string } }>('/admin/users/:username', { preHandler: canWrite('user'), schema: { params: idParams('username'), body: userBody, response: { 200: userViewSchema } } }, async (req) =>
      updateUser(db, req.params.username, req.body as Record<string, unknown>, actor(req), writeReach(req, 'user')),
    );

    // Tenant membership: a tenant admin manages its own tenant's members, shared or not.
    const memberRoutes = (kind: MemberKind, segment: string, param: string) => {
      app.put<{ Params: Record<string, string>; Body: { role?: string } }>(
        `/admin/tenants/:id/members/${segment}/:${param}`,
        { preHandler: canWrite(kind), schema: { params: memberParams(param), body: memberBody, response: { 200: memberView } } },
        async (req) => {
          const membership = await assignMember(db, kind, req.params[param], req.params.id, req.body?.role, actor(req), writeReach(req, kind));
          if (kind === 'client') services.clients.invalidate(membership.id);
          return membership;
        },
      );
      app.delete<{ Params: Record<string, string> }>(`/admin/tenants/:id/members/${segment}/:${param}`, { preHandler: canWrite(kind), schema: { params: memberParams(param) } }, async (req, reply) => {
        await unassignMember(db, kind, req.params[param], req.params.id, actor(req), writeReach(req, kind));
        if (kind === 'client') services.clients.invalidate(req.params[param]);
        return reply.code(204).send();
      });
    };
    memberRoutes('user', 'users', 'username');
    memberRoutes('client', 'clients', 'clientId');
    app.get<{ Params: { id: string } }>(
      '/admin/tenants/:id/members',
      {
        preHandler: auth.requireAnyScope([scopes.fleetRead, scopes.fleetWrite, scopes.usersRead, scopes.usersWrite, scopes.clientsRead, scopes.clientsWrite]),
        schema: { params: idParams('id'), response: { 200: { type: 'object', properties: { items: { type: 'array', items: memberView } } } } },
      },
      async (req) => {
        const tenant = normalizeTenantId(req.params.id);
        if (tenant === null) throw new ContractError('tenant_invalid', `tenant ${JSON.stringify(req.params.id)} is not a valid tenant id`);
        const p = req.principal!;
        const fleet = p.scopes.includes(scopes.fleetRead) || p.scopes.includes(scopes.fleetWrite);
        if (!fleet && tenant !== p.tenant) throw new ContractError('tenant_forbidden', `this token reaches the members of tenant '${p.tenant}' only`);
        const has = (kind: MemberKind) => fleet || p.scopes.includes(readScopes[kind]) || p.scopes.includes(writeScopes[kind]);
        // `id` is what the member routes take (username, clientId); `name` is what to show; `userId` the user's stable id.
        const items: { kind: MemberKind; id: string; name: string; userId?: string; tenant: string; role: string }[] = [];
        if (has('user')) for (const u of await listUsers(db)) if (assignedTenants(u).includes(tenant)) items.push({ kind: 'user', id: u.username, name: u.username, userId: u.id, tenant, role: u.roles[tenant] });
        if (has('client')) for (const c of await listClients(db)) if (assignedTenants(c).includes(tenant)) items.push({ kind: 'client', id: c.clientId, name: c.displayName, tenant, role: c.roles[tenant] });
        return { items };
      },
    );

    // Audit
    app.get<{ Querystring: { type?: string; client?: string; tenant?: string; actor?: string; from?: string; to?: string; cursor?: string; limit?: number } }>(
      '/admin/audit',
      {
        preHandler: auth.requireAnyScope([scopes.auditFleet, scopes.auditRead]),
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
        // Only a fleet auditor reads every tenant's events; anyone else reads its selected tenant's.
        const p = req.principal!;
        let tenant = q.tenant;
        if (!p.scopes.includes(scopes.auditFleet)) {
          if (q.tenant !== undefined && normalizeTenantId(q.tenant) !== p.tenant) {
            throw new ContractError('tenant_forbidden', `this token reads the audit log of tenant '${p.tenant}' only; other tenants need the fleet auditor role`);
          }
          tenant = p.tenant;
        }
        const page = await queryAudit(db, {
          type: q.type,
          client: q.client,
          tenant,
          actor: q.actor,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
          cursor: q.cursor,
          limit: q.limit,
        });
        // Names beside the ids: the username or client name of each actor and client.
        const people = await lookupPeople(db, page.items.flatMap((e: { actor: string | null; client: string | null }) => [...actorIds(e.actor), e.client]));
        return {
          ...page,
          items: page.items.map((e: { actor: string | null; client: string | null }) => ({
            ...e,
            actorName: actorName(e.actor, people),
            clientName: e.client ? (people.get(e.client)?.name ?? null) : null,
          })),
        };
      },
    );
  };
}
