/**
 * Reads JSON evidence: the acceptance matrix report, Playwright's JSON reporter, a plain
 * `{tests:[{name,status}]}` list, or a telemetry review `{reviewer, cutoff, legacyTotal}`.
 */
import type { EvidenceCase } from '../model.ts';
import { EvidenceFormatError } from './parse-junit.ts';

export interface ParsedJsonEvidence {
  cases: EvidenceCase[];
  summary: Record<string, unknown>;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseJsonEvidence(text: string, kind: string): ParsedJsonEvidence {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new EvidenceFormatError(`not JSON: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new EvidenceFormatError('JSON evidence must be an object');
  if (kind === 'telemetry-review') return telemetryReview(doc);
  if (doc.format === 'tenantgate-matrix/1' && Array.isArray(doc.rows)) {
    return {
      cases: doc.rows.map((r: any) => ({ name: `${r.id} ${r.title ?? ''}`.trim(), status: r.passed ? 'passed' : 'failed', ...(r.passed ? {} : { message: String(r.detail ?? '') }) })),
      summary: { gateway: doc.gateway ?? null, startedAt: doc.startedAt ?? null },
    };
  }
  if (Array.isArray(doc.suites)) return { cases: playwrightCases(doc.suites, []), summary: {} };
  if (Array.isArray(doc.tests)) {
    return {
      cases: doc.tests.map((t: any, i: number) => {
        const status = t.status === 'passed' || t.status === 'pass' ? 'passed' : t.status === 'skipped' || t.status === 'skip' ? 'skipped' : 'failed';
        return { name: String(t.name ?? `test ${i + 1}`), status, ...(t.message ? { message: String(t.message) } : {}) };
      }),
      summary: {},
    };
  }
  throw new EvidenceFormatError('unrecognised JSON evidence: expected a matrix report, a Playwright JSON report or {"tests":[{"name","status"}]}');
}

function telemetryReview(doc: any): ParsedJsonEvidence {
  if (typeof doc.reviewer !== 'string' || doc.reviewer.trim() === '') throw new EvidenceFormatError('telemetry review needs "reviewer"');
  if (typeof doc.cutoff !== 'string' || !DAY.test(doc.cutoff)) throw new EvidenceFormatError('telemetry review needs "cutoff" as YYYY-MM-DD');
  if (typeof doc.legacyTotal !== 'number' || doc.legacyTotal < 0) throw new EvidenceFormatError('telemetry review needs "legacyTotal", the legacy use seen up to the cutoff');
  const status = doc.legacyTotal === 0 ? 'passed' : 'failed';
  return {
    cases: [{ name: `legacy header use up to ${doc.cutoff}`, status, ...(status === 'failed' ? { message: `${doc.legacyTotal} legacy uses` } : {}) }],
    summary: { reviewer: doc.reviewer, cutoff: doc.cutoff, legacyTotal: doc.legacyTotal, note: typeof doc.note === 'string' ? doc.note : '' },
  };
}

function playwrightCases(suites: any[], path: string[]): EvidenceCase[] {
  const out: EvidenceCase[] = [];
  for (const suite of suites) {
    const here = suite.title ? [...path, String(suite.title)] : path;
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const name = [test.projectName, ...here, spec.title].filter(Boolean).join(' › ');
        const status = test.status === 'expected' || test.status === 'flaky' ? 'passed' : test.status === 'skipped' ? 'skipped' : 'failed';
        out.push({ name, status });
      }
    }
    out.push(...playwrightCases(suite.suites ?? [], here));
  }
  return out;
}
