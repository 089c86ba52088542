/** Step 4 of the playbook re-runs the acceptance matrix through this seam (CLI: the runner against a gateway URL). */
import type { EvidenceCase } from '../model.ts';

export interface MatrixRerunResult {
  /** The JSON report's bytes: its sha256 identifies the evidence. */
  reportJson: string;
  cases: EvidenceCase[];
  outDir: string | null;
  gateway: string;
}

export type MatrixRerun = (args: { component: string; incidentId: number }) => Promise<MatrixRerunResult>;
