/**
 * Webhooks: tenants register sources (protected routes); the receive route is public at the
 * gateway, carries no tenant, and finds its tenant by the signature alone (route-event.ts).
 */
import type { FastifyInstance } from 'fastify';
import { ContractError, SERVICE_TENANT_MISSING_STATUS } from '../../../contract/errors.ts';
import type { ComponentContext } from '../../../host/context.ts';
import { writeAudit } from '../../../telemetry/audit.ts';
import { counter } from '../../../telemetry/metrics.ts';
import { decodeCursor, pageLimit, pageQueryProperties, pageResponseSchema, toPage, type PageQuery } from '../../pagination.ts';
import { createScan } from '../store/scan-store.ts';
import { claimWebhookDelivery } from '../store/webhook-delivery-store.ts';
import { listWebhookSources, registerWebhookSource } from '../store/webhook-source-store.ts';
import { routeWebhookEvent, UNVERIFIED } from '../webhooks/route-event.ts';
import { DELIVERY_ID_HEADER, DELIVERY_WINDOW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../webhooks/signature.ts';
import { imageDigest as imageDigestSchema, provider, sourceName, webhookSource } from './schemas.ts';

export interface WebhookRouteDeps {
  ctx: ComponentContext;
  onEnqueued: () => void;
}

const DIGEST = new RegExp(imageDigestSchema.pattern);

export async function webhookRoutes(app: FastifyInstance, { ctx, onEnqueued }: WebhookRouteDeps): Promise<void> {
  const deliveries = counter(ctx.metrics, 'tenantgate_scanner_webhook_deliveries_total', 'Webhook deliveries, by outcome', ['provider', 'outcome']);

  app.post<{ Body: { provider: string; sourceName: string; secret: string } }>(
    '/api/v1/webhooks/sources',
    {
      schema: {
        body: {
          type: 'object',
          required: ['provider', 'sourceName', 'secret'],
          additionalProperties: false,
          properties: { provider, sourceName, secret: { type: 'string', minLength: 16, maxLength: 512 } },
        },
        response: { '2xx': webhookSource },
      },
    },
    async (req, reply) => {
      const tenant = req.requireTenant();
      const { actor, client } = req.identity;
      const source = await ctx.db.withTenant(tenant, async (c) => {
        const s = await registerWebhookSource(c, ctx.keyEncryptionKey, { ...req.body, actor });
        await writeAudit(c, {
          type: s.created ? 'scanner.webhook_source.registered' : 'scanner.webhook_source.rotated',
          outcome: 'success',
          actor,
          client,
          tenant,
          properties: { provider: s.provider, sourceName: s.sourceName },
        });
        return s;
      });
      return reply.code(source.created ? 201 : 200).send(source);
    },
  );

  app.get<{ Querystring: PageQuery }>(
    '/api/v1/webhooks/sources',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties }, response: { 200: pageResponseSchema(webhookSource) } } },
    async (req) => {
      const tenant = req.requireTenant();
      const limit = pageLimit(req.query);
      const after = decodeCursor(req.query.cursor, 2) as [string, string] | null;
      const rows = await ctx.db.withTenant(tenant, (c) => listWebhookSources(c, after, limit));
      return toPage(rows, limit, (r) => [r.provider, r.sourceName]);
    },
  );

  // Its own encapsulated plugin: the HMAC covers the raw body bytes, so this route alone
  // receives the body unparsed.
  await app.register(async (receive) => {
    receive.removeAllContentTypeParsers();
    receive.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    receive.post<{ Params: { provider: string; sourceName: string } }>(
      '/api/v1/webhooks/:provider/:sourceName',
      {
        config: { tenantContext: 'none' },
        schema: {
          params: { type: 'object', required: ['provider', 'sourceName'], properties: { provider, sourceName } },
          response: { 202: { type: 'object', required: ['scanId', 'status'], properties: { scanId: { type: 'string' }, status: { type: 'string' } } } },
        },
      },
      async (req, reply) => {
        const { provider: p, sourceName: name } = req.params;
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const signature = req.headers[SIGNATURE_HEADER];
        const deliveryId = req.headers[DELIVERY_ID_HEADER];
        const timestamp = req.headers[TIMESTAMP_HEADER];
        if (Array.isArray(signature) || Array.isArray(deliveryId) || Array.isArray(timestamp)) throw new ContractError('unauthorized', UNVERIFIED);
        const now = ctx.clock.now();
        const routing = await routeWebhookEvent(ctx.db, ctx.keyEncryptionKey, { provider: p, sourceName: name, signature, deliveryId, timestamp, body }, now.getTime());
        if (!routing.ok) {
          deliveries.inc({ provider: p, outcome: routing.outcome });
          if (routing.code === 'tenant_missing') throw new ContractError('tenant_missing', routing.detail, { status: SERVICE_TENANT_MISSING_STATUS });
          throw new ContractError('unauthorized', routing.detail);
        }
        const event = parseEvent(body);
        const tenant = routing.tenant;
        const actor = `webhook:${p}/${name}`;
        const expiresAt = new Date((routing.stamp.timestamp + DELIVERY_WINDOW_SECONDS) * 1000);
        const created = await ctx.db.withTenant(tenant, async (c) => {
          // Same transaction as the scan: a delivery that fails later may be delivered again.
          if (!(await claimWebhookDelivery(c, { provider: p, sourceName: name, deliveryId: routing.stamp.id, expiresAt, now }))) return null;
          const s = await createScan(c, { imageDigest: event.imageDigest, imageName: event.imageName, source: actor, requestedBy: actor });
          await writeAudit(c, { type: 'scanner.webhook.dispatched', outcome: 'success', actor, tenant, properties: { provider: p, sourceName: name, scan: s.id, delivery: routing.stamp.id } });
          return s;
        });
        if (created === null) {
          deliveries.inc({ provider: p, outcome: 'replayed' });
          throw new ContractError('conflict', 'this delivery (Webhook-Id) was already received');
        }
        deliveries.inc({ provider: p, outcome: 'dispatched' });
        onEnqueued();
        return reply.code(202).send({ scanId: created.id, status: created.status });
      },
    );
  });
}

/** The event payload, validated only after its signature verified. */
function parseEvent(body: Buffer): { imageDigest: string; imageName?: string } {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ContractError('validation_failed', 'the event body is not JSON');
  }
  const p = payload as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null || typeof p.imageDigest !== 'string' || !DIGEST.test(p.imageDigest)) {
    throw new ContractError('validation_failed', 'the event needs imageDigest "sha256:<64 hex>"');
  }
  if (p.imageName !== undefined && (typeof p.imageName !== 'string' || p.imageName.length === 0 || p.imageName.length > 512)) {
    throw new ContractError('validation_failed', 'imageName must be a non-empty string of at most 512 characters');
  }
  return { imageDigest: p.imageDigest, imageName: p.imageName as string | undefined };
}
