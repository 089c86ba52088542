import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testTmp } from '../support/env.ts';

const globalOptions = [/-c, --config <file>/, /--set <key=value>/, /-p, --port <n>/, /--host <addr>/];

describe('tenantgate global options', () => {
  const cwd = mkdtempSync(join(testTmp(), 'cli-options-'));
  chmodSync(cwd, 0o755);
  after(() => rmSync(cwd, { recursive: true, force: true }));

  it("every subcommand's help lists the global options, nested ones too", async () => {
    for (const command of [['up'], ['config', 'print'], ['rollout', 'status'], ['rollout', 'deploy', 'record'], ['flags', 'set']]) {
      const r = await runCli([...command, '--help'], { cwd });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Global Options:/, command.join(' '));
      for (const option of globalOptions) assert.match(r.stdout, option, `${command.join(' ')} --help`);
    }
  });

  it('--set takes one key=value, repeats, and never swallows the subcommand', async () => {
    const r = await runCli(['--set', 'server.basePort=9000', '--set', 'server.logLevel=warn', 'config', 'print'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout);
    assert.equal(printed.server.basePort, 9000);
    assert.equal(printed.server.logLevel, 'warn');
    const after = await runCli(['config', 'print', '--set', 'gateway.upstreamTimeoutMs=5000'], { cwd });
    assert.equal(after.code, 0, after.stderr);
    assert.equal(JSON.parse(after.stdout).gateway.upstreamTimeoutMs, 5000);
  });

  it('a --set value without = is a usage error naming the form', async () => {
    const r = await runCli(['--set', 'server.basePort', 'config', 'print'], { cwd });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: option '--set <key=value>' argument 'server\.basePort' is invalid\. expected key=value, e\.g\. --set server\.basePort=9000/);
    assert.equal(r.stdout, '');
  });

  it('unknown keys stop the command with exit 78, their source and the nearest setting', async () => {
    const viaSet = await runCli(['--set', 'server.bsePort=9000', 'config', 'print'], { cwd });
    assert.equal(viaSet.code, 78);
    assert.equal(viaSet.stderr, 'unknown setting server.bsePort from --set; did you mean server.basePort?\n');
    assert.equal(viaSet.stdout, '');

    const viaEnv = await runCli(['config', 'print'], { cwd, env: { TENANTGATE_SERVER__BSE_PORT: '9000' } });
    assert.equal(viaEnv.code, 78);
    assert.equal(viaEnv.stderr, 'unknown setting server.bsePort from TENANTGATE_SERVER__BSE_PORT; did you mean server.basePort (TENANTGATE_SERVER__BASE_PORT)?\n');

    const dir = mkdtempSync(join(cwd, 'file-'));
    writeFileSync(join(dir, 'tenantgate.config.json'), JSON.stringify({ server: { bsePort: 9000 } }));
    const viaFile = await runCli(['config', 'print'], { cwd: dir });
    assert.equal(viaFile.code, 78);
    assert.equal(viaFile.stderr, 'unknown setting server.bsePort in tenantgate.config.json; did you mean server.basePort?\n');
    const explicit = await runCli(['--config', join(dir, 'tenantgate.config.json'), 'config', 'print'], { cwd });
    assert.equal(explicit.code, 78);
    assert.match(explicit.stderr, /^unknown setting server\.bsePort in .*tenantgate\.config\.json; did you mean server\.basePort\?\n$/);
  });

  it("other tools' TENANTGATE_ variables are not settings", async () => {
    // The test harness's own TENANTGATE_TEST_* variables reach this child as well.
    const r = await runCli(['config', 'print'], { cwd, env: { TENANTGATE_STATE_DIR: '.tenantgate', TENANTGATE_UPDATE_DOC_IMAGES: '1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).server.basePort, 8080);
  });
});

describe('--set before a subcommand that reads the database', () => {
  let t: TestDatabase;
  const cwd = mkdtempSync(join(testTmp(), 'cli-set-'));
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    await t?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('`tenantgate --set server.basePort=9000 rollout status` runs rollout status', async () => {
    const env = { TENANTGATE_DATABASE__RUNTIME_URL: t.runtimeUrl, TENANTGATE_SECRETS__KEY_ENCRYPTION_KEY: t.keyEncryptionKey };
    const r = await runCli(['--set', 'server.basePort=9000', '--set', 'server.logLevel=warn', 'rollout', 'status'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^policy /m);
    assert.match(r.stdout, /^phase +0/m);
    assert.match(r.stdout, /exit gate \(phase 0/);
  });
});
