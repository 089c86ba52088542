/**
 * POST /console/telemetry: the web console's HTTP interceptor reports legacy tenant header
 * use and tenant switches. Any valid token; client and tenant come from the token, never
 * from the body. Rate-limited per token subject; feeds the same daily counters the gates read.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { sendProblem } from '../../host/app.ts';
import type { ComponentContext } from '../../host/context.ts';
import { signals } from '../../telemetry/signals.ts';

const label = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' } as const;

const eventSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'alias'],
      properties: { kind: { const: 'legacy_header' }, alias: label, count: { type: 'integer', minimum: 1, maximum: 10_000 } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'fromTenant', 'toTenant', 'trigger'],
      properties: { kind: { const: 'tenant_switch' }, fromTenant: label, toTenant: label, trigger: { type: 'string', enum: ['selector', 'deep-link', 'cross-tab', 'refresh', 'login', 'other'] } },
    },
  ],
} as const;

type TelemetryEvent = { kind: 'legacy_header'; alias: string; count?: number } | { kind: 'tenant_switch'; fromTenant: string; toTenant: string; trigger: string };

export async function consoleTelemetryRoute(app: FastifyInstance, opts: { ctx: ComponentContext; authenticated: preHandlerHookHandler; perMinute: number }): Promise<void> {
  const { ctx } = opts;
  if (!app.hasDecorator('createRateLimit')) await app.register(rateLimit, { global: false });
  const limit = app.createRateLimit({ max: opts.perMinute, timeWindow: 60_000, keyGenerator: (req) => `telemetry:${req.principal?.clientId ?? ''}:${req.principal?.subject ?? req.ip}` });
  const known = new Set(ctx.profile.legacyTenantHeaders.map((h) => h.toLowerCase()));

  app.post<{ Body: { events: TelemetryEvent[] } }>(
    '/console/telemetry',
    {
      preHandler: [
        opts.authenticated,
        async (req, reply) => {
          const r = await limit(req);
          if (!r.isAllowed && r.isExceeded) {
            reply.header('retry-after', String(Math.max(1, r.ttlInSeconds)));
            return sendProblem(reply, req, 'rate_limited', 'too many telemetry reports; retry later');
          }
        },
      ],
      schema: {
        body: { type: 'object', additionalProperties: false, required: ['events'], properties: { events: { type: 'array', minItems: 1, maxItems: 100, items: eventSchema } } },
        response: { 202: { type: 'object', required: ['accepted'], properties: { accepted: { type: 'integer' } } } },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      for (const e of req.body.events) {
        if (e.kind === 'legacy_header') {
          // Unknown names are still counted (the gate must not miss use), under a fixed label so cardinality stays bounded.
          const alias = known.has(e.alias.toLowerCase()) ? ctx.profile.legacyTenantHeaders.find((h) => h.toLowerCase() === e.alias.toLowerCase())! : 'other';
          ctx.counters.increment(signals.webLegacyHeader, { alias, client: p.clientId, tenant: p.tenant }, e.count ?? 1);
        } else {
          // Tenants the token does not name are reported, as `other`: the body cannot mint counter keys.
          const assigned = new Set([p.tenant, ...(p.allowedTenants ?? [])]);
          const from = assigned.has(e.fromTenant) ? e.fromTenant : 'other';
          const to = assigned.has(e.toTenant) ? e.toTenant : 'other';
          ctx.counters.increment(signals.webTenantSwitch, { client: p.clientId, tenant: p.tenant, detail: `${from}>${to}:${e.trigger}` });
        }
      }
      return reply.code(202).send({ accepted: req.body.events.length });
    },
  );
}
