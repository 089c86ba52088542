/** The acceptance matrix runner: run it, write its evidence, plug it into the rollback playbook. */
export { runMatrix, allMatrixRows, type MatrixOptions, type MatrixReport, type MatrixRowResult } from './run-matrix.ts';
export { writeMatrixEvidence, renderMatrixJson, renderMatrixMarkdown, renderMatrixJunit, type EvidenceFiles } from './write-evidence.ts';
export { matrixRerun } from './matrix-rerun.ts';
