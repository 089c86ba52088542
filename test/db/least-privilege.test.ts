/**
 * Least privilege on a server run like a managed service (Debian's PostgreSQL): the DBA
 * pre-creates the database, a migrator with neither SUPERUSER nor CREATEROLE, the owner and
 * the runtime role. Only `tenantgate migrate` uses the migrator's URL and it runs no ALTER
 * ROLE; components and operator commands run with the runtime URL alone and never start an
 * embedded PostgreSQL; a schema behind the build stops them with one line.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { withCredentials, withDatabase } from '../../src/db/urls.ts';
import { testTmp } from '../support/env.ts';
import { freeBasePort, freePort } from '../support/ports.ts';
import { startSystemPostgres, type SystemPostgres } from '../support/system-postgres.ts';

const root = join(import.meta.dirname, '..', '..');
const BIN = join(root, 'bin', 'tenantgate.js');
const MIGRATOR_PASSWORD = 'migrator-pw';
const RUNTIME_PASSWORD = 'runtime-pw';

/** What a DBA runs on a managed PostgreSQL (docs/database-roles.md). */
async function provisionLikeAManagedService(server: SystemPostgres, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: server.superUrl });
  await admin.connect();
  try {
    const roles = await admin.query("select rolname from pg_roles where rolname in ('tenantgate_migrator','tenantgate_owner','tenantgate_app')");
    if (roles.rowCount === 0) {
      await admin.query(`create role tenantgate_migrator login password '${MIGRATOR_PASSWORD}' nosuperuser nocreaterole nocreatedb`);
      await admin.query('create role tenantgate_owner nologin');
      await admin.query(`create role tenantgate_app login password '${RUNTIME_PASSWORD}' noinherit`);
      await admin.query('grant tenantgate_owner to tenantgate_migrator');
    }
    await admin.query(`create database ${database} owner tenantgate_migrator`);
  } finally {
    await admin.end();
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(cwd: string, env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function startComponent(cwd: string, env: Record<string, string>, name: string, ...args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, name, ...args], { cwd, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = new RegExp(`${name} listening on (\\S+)`).exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`${name} exited with ${code}`), { stderr: err }));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function runtimePasswordHash(server: SystemPostgres): Promise<string> {
  const c = new pg.Client({ connectionString: server.superUrl });
  await c.connect();
  try {
    return (await c.query<{ h: string }>("select rolpassword as h from pg_authid where rolname = 'tenantgate_app'")).rows[0].h;
  } finally {
    await c.end();
  }
}

describe('a managed-service PostgreSQL: pre-created roles, a migrator without SUPERUSER or CREATEROLE', () => {
  let server: SystemPostgres;
  let cwd: string;
  /** The migration job's own working directory (it runs elsewhere than the serving instances). */
  let jobCwd: string;
  let migratorUrl: string;
  let runtimeUrl: string;
  let embeddedPort: number;
  const kek = randomBytes(32).toString('base64url');
  const children: ChildProcess[] = [];
  let runtimeEnv: Record<string, string>;

  before(async () => {
    server = await startSystemPostgres();
    await provisionLikeAManagedService(server, 'tenantgate');
    const base = withDatabase(server.superUrl, 'tenantgate');
    migratorUrl = withCredentials(base, 'tenantgate_migrator', MIGRATOR_PASSWORD);
    runtimeUrl = withCredentials(base, 'tenantgate_app', RUNTIME_PASSWORD);
    cwd = mkdtempSync(join(testTmp(), 'least-privilege-'));
    jobCwd = mkdtempSync(join(testTmp(), 'least-privilege-job-'));
    embeddedPort = await freePort();
    runtimeEnv = {
      TENANTGATE_DATABASE__RUNTIME_URL: runtimeUrl,
      TENANTGATE_SECRETS__KEY_ENCRYPTION_KEY: kek,
      TENANTGATE_DATABASE__EMBEDDED_PORT: String(embeddedPort),
      TENANTGATE_SERVER__LOG_LEVEL: 'warn',
    };
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await server?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    if (jobCwd) rmSync(jobCwd, { recursive: true, force: true });
  });

  it('before migrating, a component with the runtime URL stops with one line naming `tenantgate migrate`', async () => {
    const r = await cli(cwd, { ...runtimeEnv, TENANTGATE_SERVER__BASE_PORT: String(await freeBasePort()) }, 'platform');
    assert.notEqual(r.code, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /no tenantgate schema yet: run `tenantgate migrate`/);
  });

  it('`tenantgate migrate` with the migrator works, with `database.runtimePassword` set and no ALTER ROLE', async () => {
    const before = await runtimePasswordHash(server);
    const r = await cli(jobCwd, { DATABASE_URL: migratorUrl, TENANTGATE_DATABASE__RUNTIME_PASSWORD: 'something-else', TENANTGATE_SECRETS__KEY_ENCRYPTION_KEY: kek, TENANTGATE_DATABASE__EMBEDDED_PORT: String(embeddedPort) }, 'migrate');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /applied \d+ migration/);
    assert.equal(await runtimePasswordHash(server), before, 'the runtime role’s password is untouched');
    const again = await cli(jobCwd, { DATABASE_URL: migratorUrl, TENANTGATE_SECRETS__KEY_ENCRYPTION_KEY: kek }, 'migrate');
    assert.match(again.stdout, /applied 0 migration\(s\)/);
  });

  it('asking for a password reset without CREATEROLE names the privilege and the SQL', async () => {
    const r = await cli(jobCwd, { DATABASE_URL: migratorUrl, TENANTGATE_DATABASE__RUNTIME_PASSWORD: 'x', TENANTGATE_SECRETS__KEY_ENCRYPTION_KEY: kek }, 'migrate', '--reset-runtime-password');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /needs CREATEROLE.*ALTER ROLE "tenantgate_app" PASSWORD/);
  });

  it('operator commands run with the runtime URL alone', async () => {
    const add = await cli(cwd, runtimeEnv, 'tenants', 'add', 'tenant-alpha', '--name', 'Alpha');
    assert.equal(add.code, 0, add.stderr);
    const list = await cli(cwd, runtimeEnv, 'tenants', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /tenant-alpha\s+Alpha/);
    const client = await cli(cwd, runtimeEnv, 'clients', 'add', 'bot', '--grant', 'client_credentials', '--scope', 'platform:read', '--tenants', 'tenant-alpha');
    assert.equal(client.code, 0, client.stderr);
    const status = await cli(cwd, runtimeEnv, 'rollout', 'status');
    assert.equal(status.code, 0, status.stderr);
  });

  it('a component with the runtime URL alone serves and issues tokens; nothing embedded was started', async () => {
    const secret = JSON.parse((await cli(cwd, runtimeEnv, 'clients', 'add', 'bot2', '--grant', 'client_credentials', '--scope', 'platform:read', '--tenants', 'tenant-alpha')).stdout).clientSecret;
    const authority = await startComponent(cwd, { ...runtimeEnv, TENANTGATE_SERVER__BASE_PORT: String(await freeBasePort()) }, 'authority');
    children.push(authority.child);
    assert.equal((await fetch(`${authority.url}/readyz`)).status, 200);
    const res = await fetch(`${authority.url}/connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bot2', client_secret: secret, tenant: 'tenant-alpha' }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.ok(((await res.json()) as any).access_token);
    assert.equal(existsSync(join(cwd, '.tenantgate')), false, `nothing written in the working directory: ${readdirSync(cwd).join(', ')}`);
    assert.equal(await listening(embeddedPort), false, 'no embedded PostgreSQL on its port');
  });

  it('`--migrate` with the runtime URL alone is refused clearly', async () => {
    const r = await cli(cwd, { ...runtimeEnv, TENANTGATE_SERVER__BASE_PORT: String(await freeBasePort()) }, 'platform', '--migrate');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /migrating needs the migrator's connection: set database\.url/);
  });

  it('roles missing and a migrator that may not create them: the error carries the DBA’s SQL', async () => {
    const admin = new pg.Client({ connectionString: server.superUrl });
    await admin.connect();
    await admin.query('create database other owner tenantgate_migrator');
    await admin.end();
    const url = withCredentials(withDatabase(server.superUrl, 'other'), 'tenantgate_migrator', MIGRATOR_PASSWORD);
    const r = await cli(jobCwd, { DATABASE_URL: url, TENANTGATE_DATABASE__OWNER_ROLE: 'other_owner', TENANTGATE_SECRETS__KEY_ENCRYPTION_KEY: kek }, 'migrate');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /role other_owner does not exist and the migrator tenantgate_migrator may not create roles \(no CREATEROLE\): have the DBA run: CREATE ROLE "other_owner" NOLOGIN;/);
  });
});
