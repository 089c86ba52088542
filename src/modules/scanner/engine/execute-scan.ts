/**
 * Runs one scan inside the caller's `withTenant` transaction: lock the scan row, skip it when
 * it is already finished (a retried job after a crash or a lost lease), otherwise read its
 * SBOM, analyze the components and store findings and unknowns — all in one commit, so a
 * scan's results appear exactly once.
 */
import type { TenantTx } from '../../../db/database.ts';
import { insertFindings } from '../store/finding-store.ts';
import { lockScanForWork, markScanCompleted, markScanFailed } from '../store/scan-store.ts';
import { recordUnknowns } from '../store/unknown-store.ts';
import type { AdvisoryIndex } from './advisory-index.ts';
import { analyzeComponents } from './analyze-components.ts';
import { InvalidSbomError, readCycloneDx } from './read-cyclonedx.ts';

export type ScanExecution =
  | { outcome: 'completed'; components: number; findings: number; unknowns: number }
  | { outcome: 'failed'; error: string }
  | { outcome: 'already_finished' }
  | { outcome: 'missing' };

export async function executeScan(db: TenantTx, scanId: string, index: AdvisoryIndex, startedAt: Date): Promise<ScanExecution> {
  const scan = await lockScanForWork(db, scanId);
  if (!scan) return { outcome: 'missing' };
  if (scan.status === 'completed' || scan.status === 'failed') return { outcome: 'already_finished' };
  if (scan.sbom === null || scan.sbom === undefined) {
    const error = `no SBOM was attached to the scan or registered for ${scan.imageDigest}`;
    await markScanFailed(db, scanId, error);
    return { outcome: 'failed', error };
  }
  let analysis;
  try {
    analysis = analyzeComponents(readCycloneDx(scan.sbom), index);
  } catch (err) {
    if (!(err instanceof InvalidSbomError)) throw err;
    await markScanFailed(db, scanId, err.message);
    return { outcome: 'failed', error: err.message };
  }
  await insertFindings(db, scanId, analysis.findings);
  await recordUnknowns(db, scanId, scan.imageDigest, analysis.unknowns);
  const counts = { components: analysis.componentCount, findings: analysis.findings.length, unknowns: analysis.unknowns.length };
  await markScanCompleted(db, scanId, counts, startedAt);
  return { outcome: 'completed', ...counts };
}
