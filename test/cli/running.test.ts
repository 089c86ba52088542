import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exited, runCli, startUp } from '../support/cli.ts';
import { testTmp } from '../support/env.ts';
import { freeBasePort, freePort } from '../support/ports.ts';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await exited(child);
  return child.pid!;
}

describe('.tenantgate/running.json: the CLI beside a running `tenantgate up`', () => {
  const cwd = mkdtempSync(join(testTmp(), 'running-'));
  chmodSync(cwd, 0o755);
  const file = join(cwd, '.tenantgate', 'running.json');
  after(() => rmSync(cwd, { recursive: true, force: true }));

  it('up records where it runs; commands in its directory use it with no options; a clean stop removes it', async () => {
    const basePort = await freeBasePort();
    const pgPort = await freePort();
    const up = startUp(cwd, ['--port', String(basePort), '--set', `database.embeddedPort=${pgPort}`, '--set', 'server.logLevel=warn']);
    try {
      await up.ready;

      assert.equal(statSync(file).mode & 0o777, 0o600);
      const running = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(running.pid, up.child.pid);
      assert.equal(running.gateway, `http://127.0.0.1:${basePort}`);
      assert.deepEqual(running.components.gateway, { url: `http://127.0.0.1:${basePort}`, port: basePort });
      assert.deepEqual(running.components.authority, { url: `http://127.0.0.1:${basePort + 1}`, port: basePort + 1 });
      assert.deepEqual(running.database.embedded, { port: pgPort, dataDir: join(cwd, '.tenantgate', 'pg') });
      assert.equal(running.configFile, null);
      assert.doesNotMatch(JSON.stringify(running), /password|secret|postgres:\/\//i, 'no secret in running.json');

      const printed = await runCli(['config', 'print'], { cwd });
      assert.equal(printed.code, 0, printed.stderr);
      const config = JSON.parse(printed.stdout);
      assert.equal(config.server.basePort, basePort);
      assert.equal(config.database.embeddedPort, pgPort);

      // The embedded server on its non-default port, found through running.json.
      const status = await runCli(['rollout', 'status'], { cwd });
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, new RegExp(`issuer: http://127\\.0\\.0\\.1:${basePort} \\(1 authority, 1 gateway\\)`));
      assert.match(status.stdout, /^ {2}gateway {4}/m);

      // --set still applies on top; at debug level the CLI says which stack it joined.
      const debug = await runCli(['--set', 'server.logLevel=debug', 'config', 'print'], { cwd });
      assert.equal(debug.code, 0, debug.stderr);
      assert.equal(JSON.parse(debug.stdout).server.basePort, basePort);
      assert.match(debug.stderr, new RegExp(`debug: using the stack of process ${up.child.pid}`));

      // Explicit options name another deployment: running.json is not used.
      const explicit = await runCli(['--port', '9700', 'config', 'print'], { cwd });
      assert.equal(explicit.code, 0, explicit.stderr);
      assert.equal(JSON.parse(explicit.stdout).server.basePort, 9700);
      assert.equal(JSON.parse(explicit.stdout).database.embeddedPort, 54329);
    } finally {
      const code = exited(up.child);
      up.child.kill('SIGTERM');
      assert.equal(await code, 0, up.output());
    }
    assert.equal(existsSync(file), false, 'running.json is gone after a clean stop');
  });

  it('a running.json whose process is gone is ignored (and said so only at debug level)', async () => {
    const pid = await deadPid();
    writeFileSync(
      file,
      JSON.stringify({
        pid,
        startedAt: new Date().toISOString(),
        configFile: null,
        gateway: 'http://127.0.0.1:9500',
        components: {},
        database: { embedded: { port: 55555, dataDir: join(cwd, '.tenantgate', 'pg') } },
        settings: { 'server.basePort': 9500, 'database.embeddedPort': 55555 },
      }),
    );
    const quiet = await runCli(['config', 'print'], { cwd });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(JSON.parse(quiet.stdout).server.basePort, 8080);
    assert.equal(quiet.stderr, '');
    const debug = await runCli(['--set', 'server.logLevel=debug', 'config', 'print'], { cwd });
    assert.equal(JSON.parse(debug.stdout).database.embeddedPort, 54329);
    assert.match(debug.stderr, new RegExp(`debug: ignoring .*running\\.json: process ${pid} is not running`));
  });
});
