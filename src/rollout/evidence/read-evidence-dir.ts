/**
 * Reads a browser matrix evidence directory (`tenantgate console-matrix run --out DIR`):
 * `manifest.sha256` must list `junit.xml` and every listed file must have its recorded hash;
 * the JUnit cases carry their project as a `[desktop]` / `[mobile]` prefix, and each required
 * project needs a passing case. Any mismatch, missing file or missing project becomes a failed
 * case, so the record comes out red rather than not at all — a later import can never leave
 * an earlier green record standing in for a broken run.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { EvidenceCase } from '../model.ts';
import { EvidenceFormatError, parseJunit } from './parse-junit.ts';

export const EVIDENCE_MANIFEST = 'manifest.sha256';
export const EVIDENCE_JUNIT = 'junit.xml';
export const EVIDENCE_SUMMARY = 'console-matrix.json';

export interface EvidenceDirectory {
  /** The manifest's bytes: what the record's sha256 is taken over (it names every file's hash). */
  content: string;
  cases: EvidenceCase[];
  summary: Record<string, unknown>;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function parseManifest(text: string): { entries: { sha256: string; file: string }[]; malformed: string[] } {
  const entries: { sha256: string; file: string }[] = [];
  const malformed: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) malformed.push(line.slice(0, 120));
    else entries.push({ sha256: m[1], file: m[2] });
  }
  return { entries, malformed };
}

/** The project of a Playwright JUnit case (`includeProjectInTestName`): `file › [project] title`. */
export function caseProject(name: string): string | null {
  return /(?:^|› )\[([^\]]+)\] /.exec(name)?.[1] ?? null;
}

export function readEvidenceDirectory(dir: string, requiredProjects: readonly string[]): EvidenceDirectory {
  const manifestPath = join(dir, EVIDENCE_MANIFEST);
  if (!existsSync(manifestPath)) throw new EvidenceFormatError(`${dir}: no ${EVIDENCE_MANIFEST} (write the directory with \`tenantgate console-matrix run --out DIR\`)`);
  const content = readFileSync(manifestPath, 'utf8');
  const { entries, malformed } = parseManifest(content);
  const problems: EvidenceCase[] = malformed.map((line) => ({ name: `manifest › unreadable line`, status: 'failed', message: line }));
  let verified = 0;
  for (const e of entries) {
    const rel = normalize(e.file);
    if (rel.startsWith('..') || rel.startsWith('/')) {
      problems.push({ name: `manifest › ${e.file}`, status: 'failed', message: 'path outside the evidence directory' });
      continue;
    }
    const path = join(dir, rel);
    if (!existsSync(path) || !statSync(path).isFile()) {
      problems.push({ name: `manifest › ${e.file}`, status: 'failed', message: 'listed in the manifest but missing' });
      continue;
    }
    const actual = sha256(readFileSync(path));
    if (actual !== e.sha256) problems.push({ name: `manifest › ${e.file}`, status: 'failed', message: `sha256 mismatch: manifest ${e.sha256.slice(0, 16)}…, file ${actual.slice(0, 16)}…` });
    else verified++;
  }

  let cases: EvidenceCase[] = [];
  const junit = entries.find((e) => normalize(e.file) === EVIDENCE_JUNIT);
  if (!junit) problems.push({ name: `manifest › ${EVIDENCE_JUNIT}`, status: 'failed', message: `the manifest does not list ${EVIDENCE_JUNIT}` });
  else if (existsSync(join(dir, EVIDENCE_JUNIT))) {
    try {
      cases = parseJunit(readFileSync(join(dir, EVIDENCE_JUNIT), 'utf8'));
    } catch (err) {
      problems.push({ name: `${EVIDENCE_JUNIT} › unreadable`, status: 'failed', message: (err as Error).message });
    }
  }

  const projects: Record<string, { passed: number; failed: number; skipped: number }> = {};
  for (const c of cases) {
    const p = caseProject(c.name) ?? '(none)';
    projects[p] ??= { passed: 0, failed: 0, skipped: 0 };
    projects[p][c.status]++;
  }
  for (const p of requiredProjects) {
    if (!projects[p]?.passed) problems.push({ name: `projects › [${p}]`, status: 'failed', message: projects[p] ? `no passing case of project ${p}` : `no case of project ${p} in ${EVIDENCE_JUNIT}` });
  }

  let run: Record<string, unknown> = {};
  const summaryEntry = entries.find((e) => normalize(e.file) === EVIDENCE_SUMMARY);
  if (summaryEntry && existsSync(join(dir, EVIDENCE_SUMMARY))) {
    try {
      const doc = JSON.parse(readFileSync(join(dir, EVIDENCE_SUMMARY), 'utf8'));
      run = { gateway: doc.gateway ?? null, runId: doc.runId ?? null, startedAt: doc.startedAt ?? null, finishedAt: doc.finishedAt ?? null };
    } catch {
      problems.push({ name: `${EVIDENCE_SUMMARY} › unreadable`, status: 'failed', message: 'not JSON' });
    }
  }
  return { content, cases: [...cases, ...problems], summary: { ...run, projects, manifest: { files: entries.length, verified, problems: problems.filter((p) => p.name.startsWith('manifest')).length } } };
}
