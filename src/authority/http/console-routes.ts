/** The console's bearer endpoints: the caller's tenants, profile and a self-introspection. */
import type { FastifyInstance } from 'fastify';
import { introspect } from '../introspection.ts';
import type { AuthorityServices } from '../services.ts';
import { currentAssignment } from '../store/current-assignment.ts';
import { tenantDisplayNames } from '../store/tenants.ts';
import type { BearerAuthentication } from './authenticate.ts';

const tenantList = { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' } }, required: ['id', 'displayName'] } } as const;

export function consoleRoutes(services: AuthorityServices, auth: BearerAuthentication) {
  const db = services.ctx.db;
  return async (app: FastifyInstance) => {
    app.get(
      '/console/tenants',
      {
        preHandler: auth.requireScope(null),
        schema: { response: { 200: { type: 'object', properties: { tenants: tenantList, selectedTenant: { type: 'string' } }, required: ['tenants', 'selectedTenant'] } } },
      },
      async (req, reply) => {
        const principal = req.principal!;
        const current = await currentAssignment(db, principal.clientId, principal.subject);
        reply.header('cache-control', 'no-store');
        return { tenants: await tenantDisplayNames(db, current?.assigned ?? []), selectedTenant: principal.tenant };
      },
    );

    app.get(
      '/console/profile',
      {
        preHandler: auth.requireScope(null),
        schema: {
          response: {
            200: {
              type: 'object',
              properties: {
                subject: { type: 'string' },
                username: { type: ['string', 'null'] },
                clientId: { type: 'string' },
                tenant: { type: 'string' },
                tenantDisplayName: { type: ['string', 'null'] },
                scopes: { type: 'array', items: { type: 'string' } },
                allowedTenants: { type: ['array', 'null'], items: { type: 'string' } },
                expiresAt: { type: 'string' },
              },
            },
          },
        },
      },
      async (req, reply) => {
        const principal = req.principal!;
        const current = await currentAssignment(db, principal.clientId, principal.subject);
        const [tenant] = await tenantDisplayNames(db, [principal.tenant]);
        reply.header('cache-control', 'no-store');
        return {
          subject: principal.subject,
          username: current?.user?.username ?? null,
          clientId: principal.clientId,
          tenant: principal.tenant,
          tenantDisplayName: tenant?.displayName ?? null,
          scopes: principal.scopes,
          allowedTenants: principal.allowedTenants,
          expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
        };
      },
    );

    app.get('/console/token/introspect', { preHandler: auth.requireScope(null) }, async (req, reply) => {
      const principal = req.principal!;
      reply.header('cache-control', 'no-store');
      return introspect(services, principal.token, null);
    });
  };
}
