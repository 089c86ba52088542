import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { TEST_RUNTIME_PASSWORD } from '../support/env.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tenantgate.js');

describe('tenantgate rollout / evidence CLI', () => {
  let t: TestDatabase;
  let dir: string;
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '-c', join(dir, 'tenantgate.config.json'), ...args], { cwd: dir, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  before(async () => {
    t = await createTestDatabase();
    dir = t.stateDir;
    writeFileSync(
      join(dir, 'tenantgate.config.json'),
      JSON.stringify({
        server: { logLevel: 'silent' },
        database: { url: t.adminUrl, runtimeUrl: t.runtimeUrl, runtimePassword: TEST_RUNTIME_PASSWORD, dataDir: join(dir, 'pg') },
        secrets: { keyEncryptionKey: t.keyEncryptionKey },
      }),
    );
  });
  after(async () => t.drop());

  it('policy show | validate', () => {
    const shown = run('rollout', 'policy', 'show');
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /strictEarliest: 2026-04-01/);
    writeFileSync(join(dir, 'policy.yaml'), shown.out);
    assert.match(run('rollout', 'policy', 'validate', join(dir, 'policy.yaml')).out, /valid — 5 phases, strict earliest 2026-04-01, N = 14/);
    writeFileSync(join(dir, 'bad.yaml'), shown.out.replace('zeroLegacyDays: 14', 'zeroLegacyDays: -1'));
    const bad = run('rollout', 'policy', 'validate', join(dir, 'bad.yaml'));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /compatibility\.zeroLegacyDays/);
  });

  it('advance refuses with the reason table and exit status 2; sign-offs open it', () => {
    const refused = run('rollout', 'advance', '--reason', 'try');
    assert.equal(refused.code, 2);
    assert.match(refused.err, /FAIL {2}contract-accepted {2}signed: none; missing: Authority, Router, Platform, Scanner, Graph, Web/);
    const noOwner = run('rollout', 'signoff', 'contract-accepted', '--by', 'Pat');
    assert.equal(noOwner.code, 1);
    assert.match(noOwner.err, /needs a sign-off from each of Authority, Router, Platform, Scanner, Graph, Web: name the owner role you sign for \(--owner\)/);
    const wrongOwner = run('rollout', 'signoff', 'contract-accepted', '--by', 'Pat', '--owner', 'Marketing');
    assert.equal(wrongOwner.code, 1);
    assert.match(wrongOwner.err, /has no owner role "Marketing"/);
    for (const owner of ['Authority', 'router', 'Platform', 'Scanner', 'Graph']) assert.equal(run('rollout', 'signoff', 'contract-accepted', '--by', `${owner} lead`, '--owner', owner).code, 0);
    assert.equal(run('rollout', 'signoff', 'trackers-ready', '--by', 'Quinn').code, 0);
    const status = run('rollout', 'status', '--json');
    const contract = JSON.parse(status.out).signoffs.find((p: any) => p.criterion === 'contract-accepted');
    assert.deepEqual(contract.signed.map((s: any) => s.owner), ['Authority', 'Router', 'Platform', 'Scanner', 'Graph'], 'the policy spelling is kept');
    assert.deepEqual(contract.missing, ['Web']);
    assert.match(run('rollout', 'status').out, /contract-accepted {10}signed Authority \(Authority lead\), Router \(router lead\), .*; missing Web/);
    const stillRefused = run('rollout', 'advance', '--reason', 'try');
    assert.equal(stillRefused.code, 2);
    assert.match(stillRefused.err, /FAIL {2}contract-accepted {2}signed: .*missing: Web/);
    const web = run('rollout', 'signoff', 'contract-accepted', '--by', 'Wen', '--owner', 'Web');
    assert.match(web.out, /signed off: phase 0 contract-accepted for Web by Wen/);
    const ok = run('rollout', 'advance', '--reason', 'done');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /advanced: phase 0 → 1/);
    const gate = run('rollout', 'gate');
    assert.equal(gate.code, 3);
    assert.match(gate.out, /exit gate of phase 1: FAIL/);
  });

  it('deploy record, status with deployments, evidence import, checklist bytes stable, decide', () => {
    assert.match(run('rollout', 'deploy', 'record', 'authority', 'a-1', '--lkg').out, /recorded: authority a-1 .*last-known-good/);
    assert.equal(run('rollout', 'deploy', 'record', 'nope', 'x').code, 1);
    const status = run('rollout', 'status');
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /phase {4}1 — Authority and router\/gateway compatibility mode/);
    assert.match(status.out, /authority {2}a-1 /);
    assert.match(status.out, /instances \(0 running/);
    assert.doesNotMatch(status.out, /warning/);
    writeFileSync(join(dir, 'a.xml'), '<testsuite><testcase name="selected tenant"/></testsuite>');
    assert.match(run('evidence', 'import', join(dir, 'a.xml'), '--kind', 'authority').out, /evidence #1 authority GREEN: 1\/1 passed/);
    assert.equal(run('evidence', 'import', join(dir, 'a.xml'), '--kind', 'weird').code, 1);
    assert.equal(run('rollout', 'checklist', '--out', join(dir, 'c1')).code, 0);
    assert.equal(run('rollout', 'checklist', '--out', join(dir, 'c2')).code, 0);
    for (const f of ['checklist.json', 'checklist.md', 'checklist.sha256']) assert.equal(readFileSync(join(dir, 'c1', f), 'utf8'), readFileSync(join(dir, 'c2', f), 'utf8'), f);
    const go = run('rollout', 'decide', 'go', '--qa', 'Q', '--pm', 'P');
    assert.equal(go.code, 2);
    assert.match(go.err, /go refused: red checklist items gateway-staging, module-isolation, web-matrix, telemetry-review/);
    const forced = run('rollout', 'decide', 'go', '--qa', 'Q', '--pm', 'P', '--force', '--reason', 'demo');
    assert.match(forced.out, /decision #1: go by QA Q and PM P {2}\[FORCED: demo\]/);
  });
});
