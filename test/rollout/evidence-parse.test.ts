import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonEvidence } from '../../src/rollout/evidence/parse-json-evidence.ts';
import { parseJunit } from '../../src/rollout/evidence/parse-junit.ts';

describe('evidence parsing', () => {
  it('JUnit: passed, failed, errored and skipped cases, entities decoded', () => {
    const xml = `<?xml version="1.0"?>
<testsuites><testsuite name="authority" tests="4">
  <testcase name="issues &amp; verifies" classname="grants"/>
  <testcase name="rejects ambiguous" classname="grants"><failure message="expected 400">trace</failure></testcase>
  <testcase name="boom"><error message="crash"/></testcase>
  <testcase name="later"><skipped/></testcase>
  <!-- <testcase name="commented out"/> -->
</testsuite></testsuites>`;
    assert.deepEqual(parseJunit(xml), [
      { name: 'grants › issues & verifies', status: 'passed' },
      { name: 'grants › rejects ambiguous', status: 'failed', message: 'expected 400' },
      { name: 'boom', status: 'failed', message: 'crash' },
      { name: 'later', status: 'skipped' },
    ]);
    assert.throws(() => parseJunit('<html></html>'), /not JUnit XML/);
    assert.throws(() => parseJunit('<testsuite name="empty"></testsuite>'), /without any <testcase>/);
  });

  it('JSON: matrix report, Playwright report, plain list, telemetry review', () => {
    const matrix = parseJsonEvidence(JSON.stringify({ format: 'tenantgate-matrix/1', gateway: 'http://g', rows: [{ id: 'P1', title: 'prefs', passed: true }, { id: 'G1', title: 'spoof', passed: false, detail: 'got 200' }] }), 'matrix');
    assert.deepEqual(matrix.cases, [
      { name: 'P1 prefs', status: 'passed' },
      { name: 'G1 spoof', status: 'failed', message: 'got 200' },
    ]);
    const pw = parseJsonEvidence(
      JSON.stringify({ suites: [{ title: 'tenant.spec.ts', specs: [{ title: 'switch', tests: [{ projectName: 'desktop', status: 'expected' }, { projectName: 'mobile', status: 'unexpected' }] }], suites: [] }] }),
      'web',
    );
    assert.deepEqual(pw.cases, [
      { name: 'desktop › tenant.spec.ts › switch', status: 'passed' },
      { name: 'mobile › tenant.spec.ts › switch', status: 'failed' },
    ]);
    assert.equal(parseJsonEvidence(JSON.stringify({ tests: [{ name: 'a', status: 'pass' }] }), 'modules').cases[0].status, 'passed');
    const review = parseJsonEvidence(JSON.stringify({ reviewer: 'Dana', cutoff: '2026-03-29', legacyTotal: 0 }), 'telemetry-review');
    assert.equal(review.cases[0].status, 'passed');
    assert.equal(review.summary.cutoff, '2026-03-29');
    assert.throws(() => parseJsonEvidence(JSON.stringify({ reviewer: 'Dana', cutoff: 'soon', legacyTotal: 0 }), 'telemetry-review'), /cutoff/);
    assert.throws(() => parseJsonEvidence('{"x":1}', 'modules'), /unrecognised JSON evidence/);
  });
});
