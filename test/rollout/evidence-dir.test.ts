import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeManifest } from '../../src/matrix/console-matrix.ts';
import { evaluateChecklist } from '../../src/rollout/checklist/evaluate-checklist.ts';
import { caseProject, readEvidenceDirectory } from '../../src/rollout/evidence/read-evidence-dir.ts';
import type { EvidenceRecord } from '../../src/rollout/model.ts';
import { WEB_EVIDENCE_PROJECTS } from '../../src/rollout/operations/import-evidence.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';

const root = mkdtempSync(join(tmpdir(), 'tenantgate-evidence-dir-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** JUnit the way Playwright writes it with includeProjectInTestName: one suite per project and file. */
function junit(cases: { project: string; title: string; failure?: string }[]): string {
  const suites = [...new Set(cases.map((c) => c.project))].map((project) => {
    const mine = cases.filter((c) => c.project === project);
    const body = mine.map((c) =>
      c.failure
        ? `<testcase name="[${project}] ${c.title}" classname="tenant-matrix.spec.ts" time="1"><failure message="${c.failure}" type="FAILURE">${c.failure}</failure></testcase>`
        : `<testcase name="[${project}] ${c.title}" classname="tenant-matrix.spec.ts" time="1"></testcase>`,
    );
    return `<testsuite name="tenant-matrix.spec.ts" hostname="${project}" tests="${mine.length}" failures="${mine.filter((c) => c.failure).length}" skipped="0" errors="0">\n${body.join('\n')}\n</testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${cases.length}">\n${suites.join('\n')}\n</testsuites>\n`;
}

let n = 0;
function evidenceDir(cases: Parameters<typeof junit>[0]): string {
  const dir = join(root, `run-${++n}`);
  mkdirSync(join(dir, 'html-report'), { recursive: true });
  writeFileSync(join(dir, 'junit.xml'), junit(cases));
  writeFileSync(join(dir, 'html-report', 'index.html'), '<html>report</html>');
  writeFileSync(join(dir, 'console-matrix.json'), JSON.stringify({ gateway: 'https://console.example', runId: 'abcd1234' }));
  writeManifest(dir);
  return dir;
}

const both = (title: string) => [
  { project: 'desktop', title },
  { project: 'mobile', title },
];

/** A record the way storeEvidenceIn makes one (green: a passing case and no failed one). */
function record(dir: string): EvidenceRecord {
  const parsed = readEvidenceDirectory(dir, WEB_EVIDENCE_PROJECTS);
  const failed = parsed.cases.filter((c) => c.status === 'failed').length;
  return {
    id: 7,
    kind: 'web',
    name: 'console-matrix',
    format: 'playwright-dir',
    sha256: 'x',
    recordedAt: '2026-03-30T00:00:00.000Z',
    recordedBy: 'qa',
    total: parsed.cases.length,
    failed,
    green: failed === 0 && parsed.cases.some((c) => c.status === 'passed'),
    cases: parsed.cases,
    summary: parsed.summary,
    incidentId: null,
  };
}

const webItem = (e: EvidenceRecord) => evaluateChecklist(defaultPolicy, [e], null).items.find((i) => i.id === 'web-matrix')!;

describe('browser matrix evidence directory (evidence import DIR --kind web)', () => {
  it('reads the project of a Playwright JUnit case', () => {
    assert.equal(caseProject('tenant-matrix.spec.ts › [mobile] tenant matrix › overview: alpha'), 'mobile');
    assert.equal(caseProject('[desktop] reload'), 'desktop');
    assert.equal(caseProject('desktop › reload'), null);
  });

  it('green when the manifest matches and both projects passed; the summary counts each project', () => {
    const e = record(evidenceDir([...both('tenant matrix › overview: switch'), ...both('reload keeps the tenant')]));
    assert.equal(e.green, true);
    assert.equal(e.total, 4);
    assert.deepEqual(e.summary.projects, { desktop: { passed: 2, failed: 0, skipped: 0 }, mobile: { passed: 2, failed: 0, skipped: 0 } });
    assert.deepEqual(e.summary.manifest, { files: 3, verified: 3, problems: 0 });
    assert.equal(e.summary.gateway, 'https://console.example');
    assert.equal(webItem(e).status, 'green');
  });

  it('red with a failed case', () => {
    const e = record(evidenceDir([...both('reload'), { project: 'mobile', title: 'tenant matrix › scans: switch', failure: 'bravo content on screen under alpha' }]));
    assert.equal(e.green, false);
    assert.match(webItem(e).reason, /^missing: web: #7 `console-matrix` \(sha256 x\) red \(1 of 3 failed\)$/);
  });

  it('red when a project is missing (a desktop-only run), even though desktop is all green', () => {
    const e = record(evidenceDir([{ project: 'desktop', title: 'reload' }, { project: 'desktop', title: 'tenant matrix › overview: switch' }]));
    assert.equal(e.green, false);
    assert.deepEqual(
      e.cases.filter((c) => c.status === 'failed').map((c) => [c.name, c.message]),
      [['projects › [mobile]', 'no case of project mobile in junit.xml']],
    );
    assert.equal(webItem(e).status, 'red');
  });

  it('red when a file no longer matches the manifest, or a listed file is gone', () => {
    const dir = evidenceDir([...both('reload')]);
    assert.equal(record(dir).green, true);
    writeFileSync(join(dir, 'html-report', 'index.html'), '<html>edited</html>');
    rmSync(join(dir, 'console-matrix.json'));
    const e = record(dir);
    assert.equal(e.green, false);
    const failed = e.cases.filter((c) => c.status === 'failed');
    assert.deepEqual(failed.map((c) => c.name).sort(), ['manifest › console-matrix.json', 'manifest › html-report/index.html']);
    assert.match(failed.find((c) => c.name.endsWith('index.html'))!.message ?? '', /sha256 mismatch/);
    assert.match(failed.find((c) => c.name.endsWith('.json'))!.message ?? '', /missing/);
    assert.equal(webItem(e).status, 'red');
  });

  it('red when the JUnit itself was changed after the manifest was written', () => {
    const dir = evidenceDir([...both('reload'), { project: 'mobile', title: 'scans', failure: 'leak' }]);
    // Someone "fixes" the failure in the XML: the cases now pass, but the manifest says otherwise.
    writeFileSync(join(dir, 'junit.xml'), junit([...both('reload'), { project: 'mobile', title: 'scans' }]));
    const e = record(dir);
    assert.equal(e.green, false);
    assert.ok(e.cases.some((c) => c.name === 'manifest › junit.xml' && c.status === 'failed'));
  });

  it('red when the manifest does not list junit.xml or points outside the directory', () => {
    const dir = evidenceDir([...both('reload')]);
    writeFileSync(join(dir, 'manifest.sha256'), `${'0'.repeat(64)}  ../outside.txt\n`);
    const names = record(dir).cases.filter((c) => c.status === 'failed').map((c) => c.name);
    assert.deepEqual(names, ['manifest › ../outside.txt', 'manifest › junit.xml', 'projects › [desktop]', 'projects › [mobile]']);
  });

  it('refuses a directory without a manifest', () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    assert.throws(() => readEvidenceDirectory(dir, WEB_EVIDENCE_PROJECTS), /no manifest\.sha256/);
  });
});
