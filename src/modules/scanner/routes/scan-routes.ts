/** Scans: submit (202, queued for the workers), list, read, findings; SBOM registration by digest. */
import type { FastifyInstance } from 'fastify';
import { ContractError } from '../../../contract/errors.ts';
import type { ComponentContext } from '../../../host/context.ts';
import { decodeCursor, pageLimit, pageQueryProperties, pageResponseSchema, toPage, type PageQuery } from '../../pagination.ts';
import { listScanFindings } from '../store/finding-store.ts';
import { registerSbom } from '../store/sbom-store.ts';
import { createScan, getScan, listScans, type ScanStatus } from '../store/scan-store.ts';
import { cycloneDxSbom, finding, idParams, imageDigest, imageName, scan } from './schemas.ts';

export interface ScanRouteDeps {
  ctx: ComponentContext;
  /** Called after a scan is enqueued, so this process's idle workers pick it up at once. */
  onEnqueued: () => void;
}

export async function scanRoutes(app: FastifyInstance, { ctx, onEnqueued }: ScanRouteDeps): Promise<void> {
  app.post<{ Body: { imageDigest: string; imageName?: string; sbom?: unknown } }>(
    '/api/v1/scans',
    {
      schema: {
        body: { type: 'object', required: ['imageDigest'], additionalProperties: false, properties: { imageDigest, imageName, sbom: cycloneDxSbom } },
        response: { 202: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { type: 'string' } } } },
      },
    },
    async (req, reply) => {
      const tenant = req.requireTenant();
      const created = await ctx.db.withTenant(tenant, (c) =>
        createScan(c, { imageDigest: req.body.imageDigest, imageName: req.body.imageName, sbom: req.body.sbom, source: 'api', requestedBy: req.identity.actor }),
      );
      onEnqueued();
      return reply.code(202).header('location', `/api/v1/scans/${created.id}`).send({ id: created.id, status: created.status });
    },
  );

  app.get<{ Querystring: PageQuery & { status?: ScanStatus; imageDigest?: string } }>(
    '/api/v1/scans',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...pageQueryProperties, status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] }, imageDigest },
        },
        response: { 200: pageResponseSchema(scan) },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const limit = pageLimit(req.query);
      const after = decodeCursor(req.query.cursor, 1);
      const rows = await ctx.db.withTenant(tenant, (c) => listScans(c, after ? Number(after[0]) : null, limit, req.query));
      return toPage(rows, limit, (r) => [r.seq]);
    },
  );

  app.post<{ Body: { imageDigest: string; sbom: unknown } }>(
    '/api/v1/scans/sboms',
    {
      schema: {
        body: { type: 'object', required: ['imageDigest', 'sbom'], additionalProperties: false, properties: { imageDigest, sbom: cycloneDxSbom } },
        response: {
          201: {
            type: 'object',
            required: ['imageDigest', 'componentCount', 'registeredAt', 'registeredBy'],
            properties: { imageDigest: { type: 'string' }, componentCount: { type: 'integer' }, registeredAt: { type: 'string' }, registeredBy: { type: 'string' }, replaced: { type: 'boolean' } },
          },
        },
      },
    },
    async (req, reply) => {
      const tenant = req.requireTenant();
      const registered = await ctx.db.withTenant(tenant, (c) => registerSbom(c, req.body.imageDigest, req.body.sbom, req.identity.actor));
      return reply.code(201).send(registered);
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/scans/:id', { schema: { params: idParams, response: { 200: scan } } }, async (req) => {
    const tenant = req.requireTenant();
    const found = await ctx.db.withTenant(tenant, (c) => getScan(c, req.params.id));
    if (!found) throw new ContractError('not_found', `scan ${req.params.id} not found`);
    return found;
  });

  app.get<{ Params: { id: string }; Querystring: PageQuery }>(
    '/api/v1/scans/:id/findings',
    {
      schema: {
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: { 200: pageResponseSchema(finding) },
      },
    },
    async (req) => {
      const tenant = req.requireTenant();
      const limit = pageLimit(req.query);
      const after = decodeCursor(req.query.cursor, 1);
      const rows = await ctx.db.withTenant(tenant, async (c) => {
        if (!(await getScan(c, req.params.id))) return null;
        return listScanFindings(c, req.params.id, after ? Number(after[0]) : null, limit);
      });
      if (!rows) throw new ContractError('not_found', `scan ${req.params.id} not found`);
      return toPage(rows, limit, (r) => [r.seq]);
    },
  );
}
