/**
 * Backup and restore as docs/deployment.md describes it, on Debian's PostgreSQL: a migrated,
 * seeded database with a token issued and data written; `pg_dumpall --roles-only` and
 * `pg_dump -Fc`; a NEW cluster with the roles pre-created from that file; `pg_restore
 * --create`; `tenantgate migrate` (nothing to apply); the Authority, gateway and Platform
 * started on the new cluster with the same key-encryption key. The old token still verifies,
 * the data is there, new tokens are issued — and without the key the Authority cannot start.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { componentUrl, type Config } from '../../src/config/schema.ts';
import type { PreparedDatabase } from '../../src/db/connect.ts';
import { migrate, readMigrations } from '../../src/db/migrate.ts';
import { withCredentials, withDatabase } from '../../src/db/urls.ts';
import { readDemoCredentials, type DemoCredentials } from '../../src/demo/credentials.ts';
import { startStack, type Stack } from '../../src/stack.ts';
import { testConfig } from '../support/database.ts';
import { testRoles, testTmp, TEST_RUNTIME_PASSWORD } from '../support/env.ts';
import { callApi, clientToken } from '../support/gateway-client.ts';
import { freeBasePort } from '../support/ports.ts';
import { startSystemPostgres, type SystemPostgres } from '../support/system-postgres.ts';

const DB = 'tenantgate';
const ENV = '/api/v1/platform/topology/environments';
const ISSUER = 'https://id.restore.example';

/**
 * The shell steps of docs/deployment.md ("Restore"), run as written against `server` with
 * its client binaries on PATH and the connection in PG* variables (no password on a command line).
 */
function sh(server: SystemPostgres, cwd: string, script: string): { stdout: string; stderr: string } {
  const u = new URL(server.superUrl);
  const r = spawnSync('bash', ['-o', 'pipefail', '-ec', script], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${dirname(server.bin('psql'))}:${process.env.PATH}`,
      PGHOST: u.hostname,
      PGPORT: u.port,
      PGUSER: decodeURIComponent(u.username),
      PGPASSWORD: decodeURIComponent(u.password),
    },
  });
  if (r.status !== 0) throw new Error(`${script} exited ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function preparedFor(server: SystemPostgres, keyEncryptionKey: string): PreparedDatabase & { adminUrl: string } {
  const adminUrl = withDatabase(server.superUrl, DB);
  return { adminUrl, runtimeUrl: withCredentials(adminUrl, testRoles.runtime, TEST_RUNTIME_PASSWORD), keyEncryptionKey, embedded: null, migrations: null, stop: async () => undefined };
}

async function startOn(prepared: PreparedDatabase, stateDir: string, seed: boolean): Promise<{ stack: Stack; config: Config }> {
  const config = testConfig({ ...prepared, stateDir }, { 'server.basePort': await freeBasePort(), 'demo.seed': seed, 'authority.issuer': ISSUER });
  const stack = await startStack({ config, prepared, components: ['gateway', 'authority', 'platform'], cwd: stateDir });
  return { stack, config };
}

describe('backup and restore onto a new cluster', () => {
  let source: SystemPostgres;
  let target: SystemPostgres;
  let work: string;
  const keyEncryptionKey = randomBytes(32).toString('base64url');
  let credentials: DemoCredentials;
  let tokenBefore: string;
  let listBefore: unknown;

  before(async () => {
    [source, target] = await Promise.all([startSystemPostgres(), startSystemPostgres()]);
    work = mkdtempSync(join(testTmp(), 'restore-'));
    chmodSync(work, 0o700);
  });
  after(async () => {
    await source?.stop();
    await target?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('source: migrate, seed, issue a token, write data', async () => {
    const admin = new pg.Client({ connectionString: source.superUrl });
    await admin.connect();
    await admin.query(`create database ${DB}`);
    await admin.end();
    const prepared = preparedFor(source, keyEncryptionKey);
    await migrate({ adminUrl: prepared.adminUrl, roles: testRoles, runtimePassword: TEST_RUNTIME_PASSWORD });
    const { stack, config } = await startOn(prepared, work, true);
    try {
      const gateway = componentUrl(config, 'gateway');
      credentials = readDemoCredentials(stack.credentialsFile)!;
      tokenBefore = await clientToken(gateway, credentials, 'scanner-bot', { tenant: 'tenant-alpha' });
      const created = await callApi(gateway, tokenBefore, 'POST', ENV, { body: { id: 'before-dump', name: 'Written before the dump', stage: 'prod' } });
      assert.equal(created.status, 201, created.text);
      const list = await callApi(gateway, tokenBefore, 'GET', ENV);
      assert.equal(list.status, 200);
      assert.ok(list.json.items.some((e: any) => e.id === 'before-dump'));
      listBefore = list.json;
    } finally {
      await stack.stop();
    }
  });

  it('dump: roles and the database, then the source cluster is gone', async () => {
    sh(source, work, `umask 077
pg_dumpall --roles-only | grep -Ev '^(CREATE|ALTER) ROLE postgres( |;)' > roles.sql
pg_dump --format=custom --file=tenantgate.dump --dbname=tenantgate`);
    assert.match(readFileSync(join(work, 'roles.sql'), 'utf8'), /CREATE ROLE tenantgate_app/);
    assert.equal(statSync(join(work, 'tenantgate.dump')).mode & 0o077, 0, 'the dump is private');
    await source.stop();
  });

  it('restore: roles first, then pg_restore --create; migrate finds nothing to apply', async () => {
    sh(target, work, `psql --no-psqlrc --quiet --set ON_ERROR_STOP=1 --dbname=postgres --file=roles.sql
pg_restore --create --exit-on-error --dbname=postgres tenantgate.dump`);
    // = `tenantgate migrate` with the migrator's URL: checksums verified, nothing to apply.
    const result = await migrate({ adminUrl: preparedFor(target, keyEncryptionKey).adminUrl, roles: testRoles, runtimePassword: TEST_RUNTIME_PASSWORD });
    assert.deepEqual(result.applied, []);
    assert.equal(result.skipped.length, readMigrations().length);
  });

  it('without the key-encryption key the restored Authority cannot use its signing keys', async () => {
    const other = randomBytes(32).toString('base64url');
    await assert.rejects(startOn(preparedFor(target, other), work, false));
  });

  it('the new cluster serves: the old token verifies, the data is the same, new tokens are issued', async () => {
    const { stack, config } = await startOn(preparedFor(target, keyEncryptionKey), work, false);
    try {
      const gateway = componentUrl(config, 'gateway');
      const list = await callApi(gateway, tokenBefore, 'GET', ENV);
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.json, listBefore);
      const fresh = await clientToken(gateway, credentials, 'scanner-bot', { tenant: 'tenant-alpha' });
      const again = await callApi(gateway, fresh, 'GET', `${ENV}/before-dump`);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.name, 'Written before the dump');
      const bravo = await clientToken(gateway, credentials, 'scanner-bot', { tenant: 'tenant-bravo' });
      assert.equal((await callApi(gateway, bravo, 'GET', `${ENV}/before-dump`)).status, 404, 'isolation survives the restore');
    } finally {
      await stack.stop();
    }
  });
});
