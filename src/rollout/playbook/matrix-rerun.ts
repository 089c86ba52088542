/**
 * Step 4 of the playbook re-runs the acceptance matrix through this seam: the runner
 * against a gateway, its evidence written to a directory per incident.
 */
import { join } from 'node:path';
import type { ContractProfile } from '../../contract/profile.ts';
import { runMatrix } from '../../matrix/run-matrix.ts';
import { writeMatrixEvidence } from '../../matrix/write-evidence.ts';
import type { MatrixService } from '../../matrix/declared-services.ts';
import type { EvidenceCase } from '../model.ts';

export interface MatrixRerunResult {
  /** The JSON report's bytes: its sha256 identifies the evidence. */
  reportJson: string;
  cases: EvidenceCase[];
  outDir: string | null;
  gateway: string;
}

export type MatrixRerun = (args: { component: string; incidentId: number }) => Promise<MatrixRerunResult>;

export function matrixRerun(options: { gateway: string; clientId: string; secret: string; outDir: string; profile?: ContractProfile; modules?: Partial<Record<'platform' | 'scanner' | 'graph', string>>; services?: MatrixService[] }): MatrixRerun {
  return async ({ component, incidentId }) => {
    const report = await runMatrix(options);
    const dir = join(options.outDir, `incident-${incidentId}-${component}`);
    const written = writeMatrixEvidence(report, dir);
    return {
      reportJson: written.reportJson,
      cases: report.rows.map((r) => ({ name: `${r.id} ${r.title}`, status: r.passed ? ('passed' as const) : ('failed' as const), ...(r.passed ? {} : { message: r.detail }) })),
      outDir: dir,
      gateway: options.gateway,
    };
  };
}
