/**
 * The browser tenant matrix's red path: against a stack whose console bundle serves the
 * previous tenant's answers after a switch, `tenantgate console-matrix run` fails on a
 * tenant switch case and `evidence import DIR --kind web` leaves the web item red.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseJunit } from '../../src/rollout/evidence/parse-junit.ts';
import { runCli } from '../support/cli.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { ensureConsoleBuild } from './support/console-build.ts';
import { artifacts, consoleMatrix, rolloutConfig, webItem } from './support/console-matrix-cli.ts';

/**
 * A console build whose tenant switch is broken the way stale-data bugs are: appended to the
 * real bundle, a fetch wrapper that answers an API GET it has seen before from its cache,
 * whatever the token (so after a switch the previous tenant's answers are shown).
 */
function brokenConsole(into: string): string {
  cpSync(ensureConsoleBuild(), into, { recursive: true });
  const bundle = readdirSync(join(into, 'assets')).find((f) => /^index-.*\.js$/.test(f));
  assert.ok(bundle, 'the console build has its index-*.js bundle');
  const path = join(into, 'assets', bundle);
  writeFileSync(
    path,
    readFileSync(path, 'utf8') +
      `
;(() => {
  const real = window.fetch.bind(window);
  const cache = new Map();
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input.url, window.location.href);
    if ((init && init.method ? init.method : 'GET').toUpperCase() !== 'GET' || !url.pathname.startsWith('/api/')) return real(input, init);
    url.searchParams.delete('tenant');
    const key = url.pathname + url.search;
    const hit = cache.get(key);
    if (hit) return new Response(hit.body, { status: hit.status, headers: hit.headers });
    const response = await real(input, init);
    if (response.ok) cache.set(key, { body: await response.clone().text(), status: response.status, headers: [...response.headers] });
    return response;
  };
})();
`,
  );
  return into;
}

describe('browser tenant matrix against a console with a broken tenant switch', () => {
  let ts: TestStack;
  let consoleDir: string;
  before(async () => {
    consoleDir = join(artifacts, 'broken-console');
    rmSync(consoleDir, { recursive: true, force: true });
    ts = await startTestStack({ overrides: { 'gateway.consoleDir': brokenConsole(consoleDir), 'server.logLevel': 'warn' } });
  });
  after(async () => {
    await ts?.stop();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  test('the run fails on a tenant switch, the evidence is red and the web item stays red', { timeout: 600_000 }, async () => {
    const out = join(artifacts, 'console-matrix-broken');
    const run = await consoleMatrix(ts, out, ['--max-failures', '1']);
    assert.equal(run.code, 1, run.stdout.slice(-3000));
    assert.match(run.stdout, /RED: browser matrix against/);
    const failed = parseJunit(readFileSync(join(out, 'junit.xml'), 'utf8')).filter((c) => c.status === 'failed');
    // The switch shows the previous tenant's answers, and the DOM sampler saw them.
    assert.ok(
      failed.some((c) => /\] tenant matrix › \w+: alpha, switch to bravo/.test(c.name) && /content was on screen under/.test(c.message ?? '')),
      `a tenant matrix switch case failed on the other tenant's data (failed: ${failed.map((c) => `${c.name}: ${c.message}`).join('; ') || 'none'})`,
    );
    assert.deepEqual(run.summary.cleanupProblems, []);

    const dir = join(ts.t.stateDir, 'rollout-red');
    mkdirSync(dir, { recursive: true });
    const config = rolloutConfig(ts, dir);
    const imported = await runCli(['-c', config, 'evidence', 'import', out, '--kind', 'web']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /evidence #\d+ web RED/);
    const item = await webItem(config);
    assert.equal(item.status, 'red');
    assert.match(item.reason, /web: #\d+ `[^`]+` \(sha256 [0-9a-f]{12}\) red/);
  });
});
