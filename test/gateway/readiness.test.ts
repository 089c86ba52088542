/**
 * Gateway readiness and its keys: a gateway started while the Authority process is dead
 * verifies with the keys the Authority published in PostgreSQL; with no key anywhere it is
 * not ready and answers 503, not 401; a database outage does not make it unready, losing
 * its upstreams does.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { issuer, type Config } from '../../src/config/schema.ts';
import { readDemoCredentials } from '../../src/demo/credentials.ts';
import { credentialsPath, startStack, type Stack } from '../../src/stack.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy.ts';
import { callApi, clientToken } from '../support/gateway-client.ts';
import { freeBasePort } from '../support/ports.ts';

const root = join(import.meta.dirname, '..', '..');
const ALPHA = 'tenant-alpha';

/** `tenantgate authority` as its own process on the test database. */
async function startAuthorityProcess(t: TestDatabase, basePort: number): Promise<{ url: string; child: ChildProcess }> {
  const sets: Record<string, string> = {
    'database.url': t.adminUrl,
    'database.runtimeUrl': t.runtimeUrl,
    'database.dataDir': join(t.stateDir, 'pg'),
    'secrets.keyEncryptionKey': t.keyEncryptionKey,
    'server.basePort': String(basePort),
    'server.logLevel': 'silent',
  };
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'authority', '--seed', ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`authority did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /authority listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`authority exited with ${code}: ${err}`)));
  });
  return { url, child };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function readyz(base: string) {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as any };
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await fn();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await fn();
  }
  assert.ok(ok(last), `${what}: last ${JSON.stringify(last)}`);
  return last;
}

/** A token of the right shape signed by a key the Authority never held. */
async function forgedToken(config: Config): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = `ed-${(await exportJWK(publicKey)).x!.slice(0, 8)}`;
  return new SignJWT({ client_id: 'scanner-bot', scope: 'platform:read', 'stellaops:tenant': ALPHA })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setIssuer(issuer(config))
    .setAudience(config.authority.audience)
    .setSubject('scanner-bot')
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(kid)
    .sign(privateKey);
}

describe('a gateway started while the Authority process is dead', () => {
  let t: TestDatabase;
  let config: Config;
  let authority: { url: string; child: ChildProcess } | null = null;
  const stacks: Stack[] = [];
  let gateway = '';
  let token = '';

  before(async () => {
    t = await createTestDatabase();
    const basePort = await freeBasePort();
    config = t.config({ 'server.basePort': basePort });
    authority = await startAuthorityProcess(t, basePort);
    const credentials = readDemoCredentials(credentialsPath(config, t.stateDir));
    assert.ok(credentials, 'the seeded Authority wrote the demo credentials');
    token = await clientToken(authority.url, credentials, 'scanner-bot', { tenant: ALPHA });
    stacks.push(await startStack({ config, prepared: t.prepared, components: ['platform'], cwd: t.stateDir }));
    await kill(authority.child);
    const down = await fetch(`${authority.url}/.well-known/jwks.json`).then(
      () => 'up',
      () => 'down',
    );
    assert.equal(down, 'down', 'the Authority process is gone');
    const gw = await startStack({ config, prepared: t.prepared, components: ['gateway'], cwd: t.stateDir });
    stacks.push(gw);
    gateway = gw.components[0].url;
  });
  after(async () => {
    if (authority) await kill(authority.child);
    for (const s of stacks.reverse()) await s.stop();
    await t?.drop();
  });

  it('is ready with the keys the Authority published in PostgreSQL', async () => {
    const r = await until('gateway ready', () => readyz(gateway), (r) => r.status === 200);
    assert.equal(r.body.checks.verificationKeys.source, 'database');
    assert.ok(r.body.checks.verificationKeys.count >= 1);
    const published = await t.db.query<{ kid: string }>('select kid from authority.published_keys');
    assert.ok(published.rows.length >= 1);
  });

  it('verifies a token the dead Authority issued, and still refuses a forged one', async () => {
    const res = await callApi(gateway, token, 'GET', '/api/v1/platform/context');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.tenant, ALPHA);
    const forged = await callApi(gateway, await forgedToken(config), 'GET', '/api/v1/platform/context');
    assert.equal(forged.status, 401, forged.text);
  });

  it('counts the refresh by its source', async () => {
    const metrics = await (await fetch(`${gateway}/metrics`)).text();
    assert.match(metrics, /tenantgate_gateway_jwks_refresh_total\{result="ok",source="database"[^}]*\} [1-9]/, metrics.split('\n').filter((l) => l.includes('jwks')).join('\n'));
  });
});

describe('a gateway with no verification key anywhere', () => {
  let t: TestDatabase;
  let config: Config;
  const stacks: Stack[] = [];
  let gateway = '';

  before(async () => {
    t = await createTestDatabase();
    config = t.config({ 'server.basePort': await freeBasePort(), 'demo.seed': false });
    stacks.push(await startStack({ config, prepared: t.prepared, components: ['platform'], cwd: t.stateDir }));
    const gw = await startStack({ config, prepared: t.prepared, components: ['gateway'], cwd: t.stateDir });
    stacks.push(gw);
    gateway = gw.components[0].url;
  });
  after(async () => {
    for (const s of stacks.reverse()) await s.stop();
    await t?.drop();
  });

  it('is not ready, and names why', async () => {
    const r = await readyz(gateway);
    assert.equal(r.status, 503);
    assert.match(r.type, /application\/problem\+json/);
    assert.equal(r.body.code, 'unavailable');
    assert.match(r.body.detail, /no token verification keys/);
    assert.equal(r.body.checks.verificationKeys.count, 0);
  });

  it('answers a bearer request 503 unavailable (an outage), not 401', async () => {
    const res = await callApi(gateway, await forgedToken(config), 'GET', '/api/v1/platform/context');
    assert.equal(res.status, 503, res.text);
    assert.equal(res.json.code, 'unavailable');
    assert.ok(res.headers.get('retry-after'));
  });

  it('becomes ready once the Authority has published keys', async () => {
    const started = await startStack({ config, prepared: t.prepared, components: ['authority'], cwd: t.stateDir });
    stacks.push(started);
    const r = await until('gateway ready', () => readyz(gateway), (r) => r.status === 200);
    assert.ok(r.body.checks.verificationKeys.count >= 1);
  });
});

describe('gateway readiness follows its keys and upstreams, not the database', () => {
  let t: TestDatabase;
  let proxy: CuttableProxy;
  let config: Config;
  let platform: Stack | null = null;
  const stacks: Stack[] = [];
  let gateway = '';

  before(async () => {
    t = await createTestDatabase();
    proxy = await startCuttableProxy();
    config = t.config({ 'server.basePort': await freeBasePort(), 'database.connectTimeoutMs': 500, 'database.statementTimeoutMs': 1000 });
    stacks.push(await startStack({ config, prepared: t.prepared, components: ['authority'], cwd: t.stateDir }));
    platform = await startStack({ config, prepared: t.prepared, components: ['platform'], cwd: t.stateDir });
    const gw = await startStack({ config, prepared: { ...t.prepared, runtimeUrl: proxy.via(t.runtimeUrl) }, components: ['gateway'], cwd: t.stateDir });
    stacks.push(gw);
    gateway = gw.components[0].url;
    await until('gateway ready', () => readyz(gateway), (r) => r.status === 200);
  });
  after(async () => {
    await proxy?.set('pass');
    await platform?.stop();
    for (const s of stacks.reverse()) await s.stop();
    await proxy?.close();
    await t?.drop();
  });

  it('stays ready while its database is refused and while it hangs', async () => {
    await proxy.set('refuse');
    assert.equal((await readyz(gateway)).status, 200);
    await proxy.set('hang');
    const started = Date.now();
    assert.equal((await readyz(gateway)).status, 200);
    assert.ok(Date.now() - started < 2_000, 'readiness does not wait on the database');
    await proxy.set('pass');
  });

  it('is not ready when no upstream of its routes accepts a connection', async () => {
    await platform!.stop();
    platform = null;
    // The Authority is still up: with `any`, one reachable upstream keeps it ready.
    const some = await until('ready with one upstream gone', () => readyz(gateway), (r) => r.status === 200, 3_000);
    const states = Object.values(some.body.checks.upstreams) as string[];
    assert.ok(states.some((s) => s.startsWith('unreachable')), JSON.stringify(some.body.checks));
    assert.deepEqual(Object.keys(some.body.checks.upstreams).sort(), ['authority', 'graph', 'platform', 'scanner']);
    assert.equal(some.body.checks.upstreams.authority, 'ok');
    assert.doesNotMatch(JSON.stringify(some.body), /127\.0\.0\.1|:\d{4,5}/, 'the public readiness body names upstreams, not internal addresses');
    await stacks.shift()!.stop();
    const none = await until('unready with every upstream gone', () => readyz(gateway), (r) => r.status === 503, 5_000);
    assert.equal(none.body.code, 'unavailable');
    assert.match(none.body.detail, /upstreams unreachable/);
  });
});
