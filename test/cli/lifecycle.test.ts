import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freeBasePort, freePort } from '../support/ports.ts';
import { exited, startUp as startUpWith } from '../support/cli.ts';
import { testTmp } from '../support/env.ts';

const startUp = (cwd: string, basePort: number, pgPort: number) =>
  startUpWith(cwd, ['--port', String(basePort), '--set', `database.embeddedPort=${pgPort}`, '--set', 'server.logLevel=warn']);

function postgresProcessesFor(dataDir: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', `postgres -D ${dataDir}`], { encoding: 'utf8' }).split('\n').filter((l) => l && !l.includes('pgrep'));
  } catch {
    return [];
  }
}

describe('tenantgate up on the embedded default', () => {
  const cwd = mkdtempSync(join(testTmp(), 'up-'));
  chmodSync(cwd, 0o755);
  after(() => rmSync(cwd, { recursive: true, force: true }));

  it('starts, prints its table and credentials path, stops cleanly on SIGTERM, and starts again on the same data', async () => {
    const basePort = await freeBasePort();
    const pgPort = await freePort();
    const dataDir = join(cwd, '.tenantgate', 'pg');

    const first = startUp(cwd, basePort, pgPort);
    await first.ready;
    assert.match(first.output(), new RegExp(`embedded PostgreSQL, data in ${dataDir}`));
    assert.match(first.output(), /demo credentials: .*\.tenantgate\/demo-credentials\.json \(new\)/);
    const credentialsFile = join(cwd, '.tenantgate', 'demo-credentials.json');
    assert.equal(statSync(credentialsFile).mode & 0o777, 0o600);
    const credentials = readFileSync(credentialsFile, 'utf8');
    const health = await fetch(`http://127.0.0.1:${basePort + 1}/healthz`).catch(() => null);
    if (health) assert.equal(health.status, 200);
    assert.ok(postgresProcessesFor(dataDir).length > 0, 'PostgreSQL runs while up');

    const code = exited(first.child);
    first.child.kill('SIGTERM');
    assert.equal(await code, 0);
    assert.deepEqual(postgresProcessesFor(dataDir), [], 'no orphaned PostgreSQL after SIGTERM');

    const second = startUp(cwd, basePort, pgPort);
    await second.ready;
    assert.doesNotMatch(second.output(), /\(new\)/, 'the data survived: no second seed');
    assert.equal(readFileSync(credentialsFile, 'utf8'), credentials);
    const code2 = exited(second.child);
    second.child.kill('SIGINT');
    assert.equal(await code2, 0);
    assert.deepEqual(postgresProcessesFor(dataDir), []);
  });
});
