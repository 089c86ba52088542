/** GET /api/v1/platform/context — the request's identity as the module resolved it, with the actor's and client's names. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../../db/database.ts';
import { actorName, lookupPeople } from '../../../identity/people.ts';
import { contextSchema, problemSchema } from '../schemas.ts';

export async function contextRoutes(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  app.get('/api/v1/platform/context', { schema: { response: { 200: contextSchema, '4xx': problemSchema } } }, async (req) => {
    const { actor, client, scopes } = req.identity;
    const tenant = req.requireTenant();
    const people = await lookupPeople(opts.db, [actor, client]);
    return { tenant, actor, actorName: actorName(actor, people), client, clientName: client ? (people.get(client)?.name ?? null) : null, scopes };
  });
}
