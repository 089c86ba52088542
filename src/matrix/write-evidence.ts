/** Writes a matrix report as JSON (machines), Markdown (people) and JUnit XML (CI), hashed into a manifest. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MatrixReport } from './run-matrix.ts';

export interface EvidenceFiles {
  dir: string;
  files: { name: string; sha256: string }[];
  manifest: string;
  reportJson: string;
}

const xml = (s: string) => s.replace(/[<>&'"\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? '');
const md = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderMatrixJson(report: MatrixReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export function renderMatrixMarkdown(r: MatrixReport): string {
  return [
    `# Tenant isolation acceptance matrix`,
    '',
    `Gateway: ${r.gateway}  `,
    `Tenants: ${r.tenants.join(', ') || '(not provisioned)'}  `,
    `Run: ${r.runId ?? '-'}, ${r.startedAt} → ${r.finishedAt}  `,
    `Result: **${r.summary.failed === 0 ? 'GREEN' : 'RED'}** — ${r.summary.passed}/${r.summary.total} rows passed`,
    '',
    '| row | area | column | what | result | detail |',
    '|---|---|---|---|---|---|',
    ...r.rows.map((row) => `| ${row.id} | ${md(row.area)} | ${row.column} | ${md(row.title)} | ${row.passed ? 'pass' : '**FAIL**'} | ${md(row.detail)} |`),
    '',
  ].join('\n');
}

export function renderMatrixJunit(r: MatrixReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = r.rows.reduce((s, row) => s + row.durationMs, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tenantgate acceptance matrix" tests="${r.summary.total}" failures="${r.summary.failed}" time="${seconds(total)}">`,
    `  <testsuite name="${xml(`matrix ${r.gateway}`)}" tests="${r.summary.total}" failures="${r.summary.failed}" errors="0" skipped="0" timestamp="${r.startedAt}" time="${seconds(total)}">`,
    ...r.rows.map((row) => {
      const open = `    <testcase classname="${xml(row.area)}" name="${xml(`${row.id} ${row.title}`)}" time="${seconds(row.durationMs)}"`;
      return row.passed ? `${open}/>` : `${open}>\n      <failure message="${xml(row.detail.slice(0, 500))}">${xml(row.detail)}</failure>\n    </testcase>`;
    }),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function writeMatrixEvidence(report: MatrixReport, dir: string): EvidenceFiles {
  mkdirSync(dir, { recursive: true });
  const reportJson = renderMatrixJson(report);
  const outputs: [string, string][] = [
    ['matrix.json', reportJson],
    ['matrix.md', renderMatrixMarkdown(report)],
    ['matrix.junit.xml', renderMatrixJunit(report)],
  ];
  const files = outputs.map(([name, content]) => {
    writeFileSync(join(dir, name), content);
    return { name, sha256: createHash('sha256').update(content).digest('hex') };
  });
  // sha256sum format: `sha256sum -c manifest.sha256` verifies the set.
  const manifest = files.map((f) => `${f.sha256}  ${f.name}`).join('\n') + '\n';
  writeFileSync(join(dir, 'manifest.sha256'), manifest);
  return { dir, files, manifest, reportJson };
}
