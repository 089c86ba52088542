/** Triage: the tenant's findings across scans, and status changes kept as history. */
import type { FastifyInstance } from 'fastify';
import { ContractError } from '../../../contract/errors.ts';
import type { ComponentContext } from '../../../host/context.ts';
import { writeAudit } from '../../../telemetry/audit.ts';
import { decodeCursor, pageLimit, pageQueryProperties, pageResponseSchema, toPage, type PageQuery } from '../../pagination.ts';
import { changeFindingStatus, findingHistory, getFinding, listFindings, triageStatuses, type TriageStatus } from '../store/finding-store.ts';
import { finding, findingWithHistory, idParams, resourceId } from './schemas.ts';

export async function triageRoutes(app: FastifyInstance, { ctx }: { ctx: ComponentContext }): Promise<void> {
  app.get<{ Querystring: PageQuery & { status?: TriageStatus; severity?: string; scanId?: string } }>(
    '/api/v1/triage/findings',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQueryProperties,
            status: { type: 'string', enum: triageStatuses },
            severity: { type: 'string', enum: ['critical', 'high', 'medium', 'low'] },
            scanId: resourceId,
          },
        },
        response: { 200: pageResponseSchema(finding) },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const limit = pageLimit(req.query);
      const after = decodeCursor(req.query.cursor, 1);
      const rows = await ctx.db.withTenant(tenant, (c) => listFindings(c, req.query, after ? Number(after[0]) : null, limit));
      return toPage(rows, limit, (r) => [r.seq]);
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/triage/findings/:id', { schema: { params: idParams, response: { 200: findingWithHistory } } }, async (req) => {
    const tenant = req.requireTenant();
    const result = await ctx.db.withTenant(tenant, async (c) => {
      const f = await getFinding(c, req.params.id);
      return f ? { ...f, history: await findingHistory(c, f.id) } : null;
    });
    if (!result) throw new ContractError('not_found', `finding ${req.params.id} not found`);
    return result;
  });

  app.patch<{ Params: { id: string }; Body: { status: TriageStatus; note?: string } }>(
    '/api/v1/triage/findings/:id',
    {
      schema: {
        params: idParams,
        body: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { type: 'string', enum: triageStatuses }, note: { type: 'string', maxLength: 2000 } } },
        response: { 200: findingWithHistory },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const { actor, client } = req.identity;
      const result = await ctx.db.withTenant(tenant, async (c) => {
        const before = await getFinding(c, req.params.id);
        const updated = await changeFindingStatus(c, req.params.id, { status: req.body.status, note: req.body.note, actor, client });
        if (!updated || !before) return null;
        await writeAudit(c, {
          type: 'scanner.finding.triaged',
          outcome: 'success',
          actor,
          client,
          tenant,
          properties: { finding: updated.id, from: before.status, to: updated.status },
        });
        return { ...updated, history: await findingHistory(c, updated.id) };
      });
      if (!result) throw new ContractError('not_found', `finding ${req.params.id} not found`);
      return result;
    },
  );
}
