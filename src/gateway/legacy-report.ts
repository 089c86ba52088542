/**
 * POST /gateway/v1/legacy-use: a declared external service reports how often it took the
 * tenant from a legacy alias header (docs/spec/GATEWAY.md §5). The caller is the service's
 * own client: a client-credentials token (subject = client) holding `legacy:report`, of a
 * client bound to the service (`services.<name>.reportClients`, default the client named
 * like the service). Counts land in the durable daily counters the strict-mode gate reads,
 * and each day the report covers is marked as reported for the service.
 */
import type { FastifyInstance } from 'fastify';
import type { DeclaredService } from '../config/services.ts';
import { LEGACY_REPORT_PATH, LEGACY_REPORT_SCOPE } from '../contract/services.ts';
import { isNormalizedTenantId } from '../contract/tenant.ts';
import { sendProblem } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import { utcDay } from '../telemetry/clock.ts';
import { recordServiceReport, type ServiceReport } from '../telemetry/service-reports.ts';
import type { Authenticator } from './authenticate.ts';

const label = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' } as const;

const bodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['service', 'batchId', 'days'],
  properties: {
    service: { type: 'string', minLength: 1, maxLength: 63 },
    batchId: { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' },
    days: {
      type: 'array',
      minItems: 1,
      maxItems: 2,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['day', 'uses'],
        properties: {
          day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
          uses: {
            type: 'array',
            maxItems: 1000,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['alias', 'tenant', 'count'],
              properties: { alias: label, tenant: label, client: { type: 'string', maxLength: 128, pattern: '^[\\x21-\\x7e]*$' }, count: { type: 'integer', minimum: 0, maximum: 1_000_000_000 } },
            },
          },
        },
      },
    },
  },
} as const;

type Body = { service: string; batchId: string; days: { day: string; uses: { alias: string; tenant: string; client?: string; count: number }[] }[] };

export interface LegacyReportOptions {
  ctx: ComponentContext;
  authenticator: Authenticator;
  /** The external services of this configuration, by name. */
  services: ReadonlyMap<string, DeclaredService>;
}

export function registerLegacyReportRoute(app: FastifyInstance, { ctx, authenticator, services }: LegacyReportOptions): void {
  const known = new Map(ctx.profile.legacyTenantHeaders.map((h) => [h.toLowerCase(), h]));
  app.post<{ Body: Body }>(LEGACY_REPORT_PATH, { schema: { body: bodySchema } }, async (req, reply) => {
    req.metricsRoute = LEGACY_REPORT_PATH;
    const header = req.headers.authorization;
    let auth = authenticator.quick(header === undefined ? [] : [header], req.raw.socket);
    if (typeof auth === 'string') auth = await authenticator.verify(auth, header!, req.raw.socket);
    if (auth.unavailable) return sendProblem(reply, req, 'unavailable', 'the gateway holds no token verification keys');
    const token = auth.token;
    if (!token) return sendProblem(reply, req, 'unauthorized', `a legacy-use report needs a bearer token: ${auth.reason}`);
    if (!token.scopes.includes(LEGACY_REPORT_SCOPE)) return sendProblem(reply, req, 'insufficient_scope', `a legacy-use report needs the scope ${LEGACY_REPORT_SCOPE}`);
    const { body } = req;
    const service = services.get(body.service);
    if (!service) {
      const names = [...services.keys()];
      return sendProblem(reply, req, 'legacy_report_service_unknown', `${body.service} is not an external service of this gateway's configuration (declared: ${names.join(', ') || 'none'})`);
    }
    if (token.subject !== token.clientId) return sendProblem(reply, req, 'legacy_report_client_mismatch', "a report comes from the service's own client (client_credentials), not from a user's token");
    if (!service.reportClients.includes(token.clientId)) {
      return sendProblem(reply, req, 'legacy_report_client_mismatch', `client ${token.clientId} may not report for ${service.name} (services.${service.name}.reportClients: ${service.reportClients.join(', ')})`);
    }
    const now = ctx.clock.now();
    const today = utcDay(now);
    const yesterday = utcDay(new Date(now.getTime() - 86_400_000));
    const report: ServiceReport = { service: service.name, batchId: body.batchId.toLowerCase(), days: [] };
    for (const d of body.days) {
      // A batch carries today's counts and, just after midnight, the rest of yesterday's.
      if (d.day !== today && d.day !== yesterday) return sendProblem(reply, req, 'validation_failed', `day ${d.day}: a report covers today (${today}) or yesterday (${yesterday}) only`);
      const uses = [];
      for (const u of d.uses) {
        if (!isNormalizedTenantId(u.tenant)) return sendProblem(reply, req, 'validation_failed', `tenant ${JSON.stringify(u.tenant)} is not a normalized tenant id`);
        // Unknown alias names are still counted, under one label so cardinality stays bounded.
        uses.push({ alias: known.get(u.alias.toLowerCase()) ?? 'other', tenant: u.tenant, client: u.client ?? '', count: u.count });
      }
      report.days.push({ day: d.day, uses });
    }
    const applied = await recordServiceReport(ctx.db, report, now);
    const total = report.days.reduce((s, d) => s + d.uses.reduce((t, u) => t + u.count, 0), 0);
    return reply.code(202).send({ service: service.name, days: report.days.map((d) => d.day), uses: total, duplicate: !applied });
  });
}
