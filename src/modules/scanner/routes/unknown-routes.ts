/** Unknowns: components the scanner could not identify, with their evidence and history. */
import type { FastifyInstance } from 'fastify';
import { ContractError } from '../../../contract/errors.ts';
import type { ComponentContext } from '../../../host/context.ts';
import { decodeCursor, pageLimit, pageQueryProperties, pageResponseSchema, toPage, type PageQuery } from '../../pagination.ts';
import { getUnknown, listUnknowns, unknownObservations } from '../store/unknown-store.ts';
import { idParams, resourceId, unknown, unknownEvidence, unknownHistoryEvent } from './schemas.ts';

const reasons = ['missing_purl', 'invalid_purl', 'unsupported_ecosystem', 'missing_version', 'unparseable_version'];

export async function unknownRoutes(app: FastifyInstance, { ctx }: { ctx: ComponentContext }): Promise<void> {
  app.get<{ Querystring: PageQuery & { reason?: string; scanId?: string } }>(
    '/api/v1/unknowns',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties, reason: { type: 'string', enum: reasons }, scanId: resourceId } },
        response: { 200: pageResponseSchema(unknown) },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const limit = pageLimit(req.query);
      const after = decodeCursor(req.query.cursor, 1);
      const rows = await ctx.db.withTenant(tenant, (c) => listUnknowns(c, req.query, after ? Number(after[0]) : null, limit));
      return toPage(rows, limit, (r) => [r.seq]);
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/unknowns/:id', { schema: { params: idParams, response: { 200: unknown } } }, async (req) => {
    const tenant = req.requireTenant();
    const found = await ctx.db.withTenant(tenant, (c) => getUnknown(c, req.params.id));
    if (!found) throw new ContractError('not_found', `unknown ${req.params.id} not found`);
    return found;
  });

  app.get<{ Params: { id: string } }>('/api/v1/unknowns/:id/evidence', { schema: { params: idParams, response: { 200: unknownEvidence } } }, async (req) => {
    const tenant = req.requireTenant();
    const result = await ctx.db.withTenant(tenant, async (c) => {
      const u = await getUnknown(c, req.params.id);
      return u ? { u, observations: await unknownObservations(c, u.id) } : null;
    });
    if (!result) throw new ContractError('not_found', `unknown ${req.params.id} not found`);
    const { u, observations } = result;
    const latest = observations[observations.length - 1];
    return {
      unknownId: u.id,
      reason: u.reason,
      detail: u.detail,
      component: latest?.evidence.component ?? { name: u.componentName, version: u.componentVersion, purl: u.purl },
      observations: observations.map((o) => ({ scanId: o.scanId, imageDigest: o.imageDigest, observedAt: o.observedAt, component: o.evidence.component })),
    };
  });

  app.get<{ Params: { id: string }; Querystring: PageQuery }>(
    '/api/v1/unknowns/:id/history',
    {
      schema: {
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: { 200: pageResponseSchema(unknownHistoryEvent) },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const limit = pageLimit(req.query);
      const after = decodeCursor(req.query.cursor, 1);
      const observations = await ctx.db.withTenant(tenant, async (c) => ((await getUnknown(c, req.params.id)) ? unknownObservations(c, req.params.id) : null));
      if (!observations) throw new ContractError('not_found', `unknown ${req.params.id} not found`);
      const events = observations
        .filter((o) => after === null || o.seq > Number(after[0]))
        .slice(0, limit + 1)
        .map((o) => ({ seq: o.seq, event: o.seq === 1 ? 'first_seen' : 'seen_again', scanId: o.scanId, imageDigest: o.imageDigest, at: o.observedAt }));
      return toPage(events, limit, (e) => [e.seq]);
    },
  );
}
