/** The rollback playbook's step 4: the matrix against a gateway, its evidence written to a directory. */
import { join } from 'node:path';
import type { ContractProfile } from '../contract/profile.ts';
import type { MatrixRerun } from '../rollout/playbook/matrix-rerun.ts';
import { runMatrix } from './run-matrix.ts';
import { writeMatrixEvidence } from './write-evidence.ts';

export function matrixRerun(options: { gateway: string; clientId: string; secret: string; outDir: string; profile?: ContractProfile; modules?: Partial<Record<'platform' | 'scanner' | 'graph', string>> }): MatrixRerun {
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
