/**
 * GET /api/v1/scans/summary — the tenant's scanning at a glance (the console's Overview):
 * scans by status with the latest completion, findings by severity and triage status (open =
 * not yet resolved: open or under review), unknowns by reason.
 */
import type { FastifyInstance } from 'fastify';
import type { ComponentContext } from '../../../host/context.ts';

const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const;
const summarySchema = {
  type: 'object',
  required: ['tenant', 'scans', 'findings', 'unknowns'],
  properties: {
    tenant: { type: 'string' },
    scans: { type: 'object', properties: { total: { type: 'integer' }, byStatus: counts, lastCompletedAt: { type: ['string', 'null'] } } },
    findings: { type: 'object', properties: { total: { type: 'integer' }, unresolved: { type: 'integer' }, bySeverity: counts, unresolvedBySeverity: counts, byStatus: counts } },
    unknowns: { type: 'object', properties: { total: { type: 'integer' }, byReason: counts } },
  },
} as const;

const UNRESOLVED = ['open', 'under_review'];

export async function summaryRoute(app: FastifyInstance, opts: { ctx: ComponentContext }): Promise<void> {
  app.get('/api/v1/scans/summary', { schema: { response: { 200: summarySchema } } }, async (req) => {
    const tenant = req.requireTenant();
    return opts.ctx.db.withTenant(tenant, async (c) => {
      const scans = await c.query<{ status: string; n: number; last: Date | null }>('select status, count(*)::int as n, max(completed_at) as last from scanner.scans group by status');
      const findings = await c.query<{ severity: string; status: string; n: number }>('select severity, status, count(*)::int as n from scanner.findings group by severity, status');
      const unknowns = await c.query<{ reason: string; n: number }>('select reason, count(*)::int as n from scanner.unknowns group by reason');
      const add = (m: Record<string, number>, k: string, n: number) => void (m[k] = (m[k] ?? 0) + n);
      const byStatus: Record<string, number> = {};
      let last: Date | null = null;
      for (const r of scans.rows) {
        add(byStatus, r.status, r.n);
        if (r.last && (!last || r.last > last)) last = r.last;
      }
      const bySeverity: Record<string, number> = {};
      const unresolvedBySeverity: Record<string, number> = {};
      const findingStatus: Record<string, number> = {};
      for (const r of findings.rows) {
        add(bySeverity, r.severity, r.n);
        add(findingStatus, r.status, r.n);
        if (UNRESOLVED.includes(r.status)) add(unresolvedBySeverity, r.severity, r.n);
      }
      const byReason: Record<string, number> = {};
      for (const r of unknowns.rows) add(byReason, r.reason, r.n);
      const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
      return {
        tenant,
        scans: { total: sum(byStatus), byStatus, lastCompletedAt: last ? last.toISOString() : null },
        findings: { total: sum(bySeverity), unresolved: sum(unresolvedBySeverity), bySeverity, unresolvedBySeverity, byStatus: findingStatus },
        unknowns: { total: sum(byReason), byReason },
      };
    });
  });
}
