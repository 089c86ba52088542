/** GET /admin/rollout/* (scope rollout:read): what the console's Rollout page shows. */
import { actorIds, actorName, lookupPeople } from '../../identity/people.ts';
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import type { Database } from '../../db/database.ts';
import type { FlagCatalogue } from '../../flags/definitions.ts';
import { flagHistory } from '../../flags/store.ts';
import type { Clock } from '../../telemetry/clock.ts';
import { utcDay } from '../../telemetry/clock.ts';
import { legacySignals } from '../../telemetry/signals.ts';
import { renderChecklist } from '../checklist/render-checklist.ts';
import { addUtcDays } from '../gates/utc-days.ts';
import { checklistReport } from '../operations/decide.ts';
import { monitorReadings, phaseExitGate, strictGate } from '../operations/evaluate-gates.ts';
import { operatorOverview } from '../operations/operator-overview.ts';
import { rolloutStatus } from '../operations/rollout-status.ts';
import type { RolloutPolicy } from '../policy/schema.ts';
import { readDailySignalTotals } from '../state/read-daily-telemetry.ts';
import { readDecisions, readDeployments, readEvidence, readIncidents, readPhaseHistory } from '../state/read-state.ts';
import { ContractError } from '../../contract/errors.ts';

const anyObject = { type: 'object', additionalProperties: true } as const;
const items = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: anyObject } } } as const;
const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export async function rolloutReadRoutes(app: FastifyInstance, opts: { db: Database; policy: RolloutPolicy; clock: Clock; read: preHandlerHookHandler; flags?: FlagCatalogue }): Promise<void> {
  const { db, policy, clock } = opts;
  const pool = db;
  const preHandler = opts.read;

  app.get('/admin/rollout/status', { preHandler, schema: { response: { 200: anyObject } } }, async () => ({
    ...(await rolloutStatus(pool, policy, clock.now(), opts.flags)),
    phaseHistory: await readPhaseHistory(pool),
  }));

  app.get('/admin/rollout/overview', { preHandler, schema: { response: { 200: anyObject } } }, async () => operatorOverview(pool, policy, clock.now()));

  app.get('/admin/rollout/policy', { preHandler, schema: { response: { 200: anyObject } } }, async () => policy);

  app.get<{ Querystring: { days: number } }>(
    '/admin/rollout/gates/strict',
    { preHandler, schema: { querystring: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 90, default: 30 } } }, response: { 200: anyObject } } },
    async (req) => {
      const now = clock.now();
      const today = utcDay(now);
      const totals = await readDailySignalTotals(pool, addUtcDays(today, -req.query.days), today);
      return {
        gate: await strictGate(pool, policy, now),
        legacySignals,
        history: totals.map((d) => ({
          day: d.day,
          complete: d.day < today,
          heartbeats: d.heartbeats,
          legacy: Object.fromEntries(legacySignals.map((s) => [s, d.totals[s] ?? 0])),
          legacyTotal: legacySignals.reduce((sum, s) => sum + (d.totals[s] ?? 0), 0),
        })),
      };
    },
  );

  app.get('/admin/rollout/gates/exit', { preHandler, schema: { response: { 200: anyObject } } }, async () => phaseExitGate(pool, policy, clock.now()));
  app.get('/admin/rollout/monitors', { preHandler, schema: { response: { 200: items } } }, async () => ({ items: await monitorReadings(pool, policy, clock.now()) }));

  app.get<{ Querystring: { component?: string; limit: number } }>(
    '/admin/rollout/incidents',
    {
      preHandler,
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { component: { type: 'string', maxLength: 32 }, limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } },
        response: { 200: items },
      },
    },
    async (req) => ({ items: await readIncidents(pool, { component: req.query.component, limit: req.query.limit }) }),
  );
  app.get<{ Params: { id: number } }>('/admin/rollout/incidents/:id', { preHandler, schema: { params: idParam, response: { 200: anyObject } } }, async (req) => {
    const [incident] = await readIncidents(pool, { id: req.params.id });
    if (!incident) throw new ContractError('not_found', `incident ${req.params.id} not found`);
    return { ...incident, evidence: await readEvidence(pool, { incidentId: incident.id }) };
  });

  app.get('/admin/rollout/checklist', { preHandler, schema: { response: { 200: anyObject } } }, async () => {
    const report = await checklistReport(pool, policy);
    const rendered = renderChecklist(report);
    return { report, markdown: rendered.markdown, jsonSha256: rendered.jsonSha256, markdownSha256: rendered.markdownSha256 };
  });
  app.get('/admin/rollout/decisions', { preHandler, schema: { response: { 200: items } } }, async () => ({ items: await readDecisions(pool) }));
  app.get('/admin/rollout/deployments', { preHandler, schema: { response: { 200: items } } }, async () => ({ items: await readDeployments(pool) }));
  app.get<{ Querystring: { kind?: string } }>(
    '/admin/rollout/evidence',
    { preHandler, schema: { querystring: { type: 'object', additionalProperties: false, properties: { kind: { type: 'string', maxLength: 32 } } }, response: { 200: items } } },
    async (req) => ({ items: (await readEvidence(pool, { kind: req.query.kind })).map(({ cases, ...e }) => ({ ...e, caseCount: cases.length })) }),
  );
  app.get<{ Querystring: { name?: string } }>(
    '/admin/rollout/flags/history',
    { preHandler, schema: { querystring: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', maxLength: 64 } } }, response: { 200: items } } },
    async (req) => {
      const items = await flagHistory(pool, req.query.name);
      const people = await lookupPeople(pool, items.flatMap((i) => actorIds(i.changedBy)));
      return { items: items.map((i) => ({ ...i, changedByName: actorName(i.changedBy, people) })) };
    },
  );
}
