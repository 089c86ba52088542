/**
 * Runs the acceptance matrix against a live deployment: provisions two tenants with
 * overlapping ids through the public admin and module APIs, then runs every row. A setup
 * failure is itself a failed row, so a broken deployment can never come out green.
 */
import { defaultProfile, type ContractProfile } from '../contract/profile.ts';
import { newRunId, provision, removeFixtures } from './fixtures.ts';
import { GatewayClient } from './gateway-client.ts';
import { gatewayRows } from './gateway-rows.ts';
import type { MatrixRow } from './matrix-row.ts';
import { moduleRows } from './module-rows.ts';
import type { MatrixService } from './declared-services.ts';
import { serviceRows } from './service-rows.ts';

export interface MatrixOptions {
  gateway: string;
  clientId: string;
  secret: string;
  profile?: ContractProfile;
  modules?: Partial<Record<'platform' | 'scanner' | 'graph', string>>;
  rows?: MatrixRow[];
  /** Declared external services (matrixServices(config)): each gets its isolation rows. */
  services?: MatrixService[];
  now?: () => Date;
}

export interface MatrixRowResult {
  id: string;
  area: string;
  column: string;
  title: string;
  passed: boolean;
  detail: string;
  durationMs: number;
}

export interface MatrixReport {
  format: 'tenantgate-matrix/1';
  gateway: string;
  runId: string | null;
  tenants: string[];
  startedAt: string;
  finishedAt: string;
  summary: { total: number; passed: number; failed: number };
  rows: MatrixRowResult[];
  /** The run's synthetic client and tenants, removed after the rows ran (a failed removal is a failed row). */
  removed: string[];
}

export const allMatrixRows: MatrixRow[] = [...moduleRows, ...gatewayRows];

export async function runMatrix(options: MatrixOptions): Promise<MatrixReport> {
  const now = options.now ?? (() => new Date());
  const profile = options.profile ?? defaultProfile;
  const gw = new GatewayClient(options.gateway, profile.tenantParameter);
  const startedAt = now().toISOString();
  const rows: MatrixRowResult[] = [];
  const runId = newRunId();
  let tenants: string[] = [];
  let removed: string[] = [];
  const admin = { clientId: options.clientId, secret: options.secret };
  const t0 = performance.now();
  try {
    const services = options.services ?? [];
    const fx = await provision(gw, admin, runId, services.flatMap((s) => s.scopes));
    tenants = [fx.a.tenant, fx.b.tenant];
    for (const row of options.rows ?? [...allMatrixRows, ...serviceRows(services)]) {
      const start = performance.now();
      let outcome: { passed: boolean; detail: string };
      try {
        outcome = await row.run({ gw, fx, profile, modules: options.modules ?? {} });
      } catch (err) {
        outcome = { passed: false, detail: `FAILED: ${(err as Error).message}` };
      }
      rows.push({ id: row.id, area: row.area, column: row.column, title: row.title, ...outcome, durationMs: Math.round(performance.now() - start) });
    }
  } catch (err) {
    rows.push({ id: 'SETUP', area: 'Setup', column: 'setup', title: 'provision two tenants and their data through the public APIs', passed: false, detail: `FAILED: ${(err as Error).message}`, durationMs: Math.round(performance.now() - t0) });
  }
  const t1 = performance.now();
  try {
    removed = await removeFixtures(gw, admin, runId);
  } catch (err) {
    rows.push({ id: 'CLEANUP', area: 'Setup', column: 'setup', title: "remove the run's synthetic client and tenants", passed: false, detail: `FAILED: ${(err as Error).message}`, durationMs: Math.round(performance.now() - t1) });
  }
  const passed = rows.filter((r) => r.passed).length;
  return { format: 'tenantgate-matrix/1', gateway: options.gateway, runId, tenants, startedAt, finishedAt: now().toISOString(), summary: { total: rows.length, passed, failed: rows.length - passed }, rows, removed };
}
