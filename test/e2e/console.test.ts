/**
 * The browser tenant matrix inside `npm test`: `tenantgate console-matrix run` against a test
 * stack runs the one Playwright Test suite (playwright.config.ts, test/e2e/console) on desktop
 * and mobile with its own synthetic tenants and users, and `evidence import DIR --kind web`
 * turns the readiness checklist's web item green (console-broken.test.ts: the red path).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CONSOLE_CLIENT_ID } from '../../src/contract/scopes.ts';
import { consoleMatrixNames } from '../../src/matrix/console-fixtures.ts';
import { utcDay } from '../../src/telemetry/clock.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { signals } from '../../src/telemetry/signals.ts';
import { runCli } from '../support/cli.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { ensureConsoleBuild } from './support/console-build.ts';
import { artifacts, consoleMatrix, rolloutConfig, tenantIds, webItem } from './support/console-matrix-cli.ts';

describe('browser tenant matrix through `tenantgate console-matrix run`', () => {
  let ts: TestStack;
  before(async () => {
    ts = await startTestStack({ overrides: { 'gateway.consoleDir': ensureConsoleBuild(), 'server.logLevel': 'warn' } });
  });
  after(async () => ts?.stop());

  test('against the test stack: every case passes on desktop and mobile, the evidence turns the web item green, nothing synthetic stays', { timeout: 840_000 }, async () => {
    const out = join(artifacts, 'console-matrix');
    const run = await consoleMatrix(ts, out);
    assert.equal(run.code, 0, `console-matrix run failed:\n${run.stdout.slice(-6000)}\n${run.stderr.slice(-3000)}`);
    assert.match(run.stdout, /GREEN: browser matrix against/);
    for (const f of ['junit.xml', 'results.json', 'html-report/index.html', 'console-matrix.json', 'manifest.sha256']) assert.ok(existsSync(join(out, f)), `wrote ${f}`);
    const manifest = readFileSync(join(out, 'manifest.sha256'), 'utf8');
    assert.match(manifest, /^[0-9a-f]{64} {2}junit\.xml$/m);
    assert.match(manifest, /^[0-9a-f]{64} {2}html-report\/index\.html$/m);

    // Both projects ran every case of the one suite.
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    const names = [...junit.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1]);
    const of = (p: string) => names.filter((n) => n.startsWith(`[${p}] `)).map((n) => n.slice(p.length + 3));
    assert.ok(of('desktop').length >= 20, `desktop cases: ${of('desktop').length}`);
    const matrixCases = (p: string) => of(p).filter((n) => n.startsWith('tenant matrix › '));
    assert.equal(matrixCases('mobile').length, 10, 'every primary page on mobile');
    assert.deepEqual(matrixCases('mobile'), matrixCases('desktop'));
    for (const c of ['reload keeps the tenant', 'deep link to a bravo-only scan', 'a refused switch rolls back', 'another tab follows', 'is refused on an alpha link']) {
      for (const p of ['desktop', 'mobile']) assert.ok(of(p).some((n) => n.includes(c)), `[${p}] ${c}`);
    }
    for (const n of of('mobile')) assert.ok(of('desktop').includes(n), `${n} runs on desktop too`);
    assert.match(junit, /<testsuites[^>]* failures="0"/);

    // The switches reached the Authority's counters, under the synthetic tenants: counted apart, never read by a gate.
    const [a, b] = run.summary.tenants;
    const today = utcDay(new Date());
    const wanted = [`${a}>${b}:selector`, `${b}>${a}:selector`, `${b}>${a}:deep-link`, `${a}>${b}:cross-tab`];
    let details: string[] = [];
    // Counters are buffered by the Authority and flushed every couple of seconds.
    for (let attempt = 0; attempt < 50 && !wanted.every((d) => details.includes(d)); attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 200));
      details = (await readDailyCounters(ts.t.db, today, today, [signals.webTenantSwitch], 'only')).filter((r) => r.client === CONSOLE_CLIENT_ID).map((r) => r.detail);
    }
    for (const d of [`${a}>${b}:selector`, `${b}>${a}:selector`, `${b}>${a}:deep-link`, `${a}>${b}:cross-tab`]) assert.ok(details.includes(d), `counted ${d} (seen: ${details.join(', ')})`);

    // Removed again: no synthetic tenant, user or client is left.
    assert.deepEqual(run.summary.cleanupProblems, []);
    const left = await tenantIds(ts);
    for (const t of Object.values(consoleMatrixNames(run.summary.runId).tenants)) assert.ok(!left.includes(t), `${t} was removed`);

    const dir = join(ts.t.stateDir, 'rollout-green');
    mkdirSync(dir, { recursive: true });
    const config = rolloutConfig(ts, dir);
    assert.equal((await webItem(config)).status, 'red', 'red before any web evidence');
    const imported = await runCli(['-c', config, 'evidence', 'import', out, '--kind', 'web']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /evidence #\d+ web GREEN/);
    const item = await webItem(config);
    assert.equal(item.status, 'green', item.reason);

    // One changed byte in the report: the manifest no longer matches and the item goes red.
    const report = join(out, 'html-report', 'index.html');
    writeFileSync(report, readFileSync(report, 'utf8') + ' ');
    const tampered = await runCli(['-c', config, 'evidence', 'import', out, '--kind', 'web']);
    assert.equal(tampered.code, 0, tampered.stderr);
    assert.match(tampered.stdout, /web RED/);
    assert.match(tampered.stdout, /failed: manifest › html-report\/index\.html — sha256 mismatch/);
    assert.equal((await webItem(config)).status, 'red');
  });
});
