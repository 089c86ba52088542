/** GET|PUT /api/v1/platform/context/preferences — the caller's preferences in this tenant. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../../db/database.ts';
import { readPreferences, savePreferences, type PreferenceFields } from '../preferences/preference-store.ts';
import { preferencesBodySchema, preferencesSchema, problemSchema } from '../schemas.ts';

const PATH = '/api/v1/platform/context/preferences';

export async function preferencesRoutes(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  app.get(PATH, { schema: { response: { 200: preferencesSchema, '4xx': problemSchema } } }, async (req) => {
    const tenant = req.requireTenant();
    return opts.db.withTenant(tenant, (c) => readPreferences(c, req.identity.actor));
  });

  app.put<{ Body: Partial<PreferenceFields> }>(
    PATH,
    { schema: { body: preferencesBodySchema, response: { 200: preferencesSchema, '4xx': problemSchema } } },
    async (req) => {
      const tenant = req.requireTenant();
      const b = req.body;
      const fields: PreferenceFields = { region: b.region ?? null, environment: b.environment ?? null, timeWindow: b.timeWindow ?? null, stage: b.stage ?? null };
      return opts.db.withTenant(tenant, (c) => savePreferences(c, req.identity.actor, fields));
    },
  );
}
