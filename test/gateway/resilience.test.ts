/**
 * The gateway under change and failure: a flag flip reaching two gateway processes within a
 * second, the Authority going away (cached keys keep verifying, unknown kids refetch at most
 * once per cooldown), and a 30-second database outage that loses no counter.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issuer } from '../../src/config/schema.ts';
import { setFlags } from '../../src/flags/store.ts';
import { startGateway } from '../../src/gateway/component.ts';
import { createComponentContext } from '../../src/host/context.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { signals } from '../../src/telemetry/signals.ts';
import { utcDay } from '../../src/telemetry/clock.ts';
import { freeBasePort } from '../support/ports.ts';
import { send, startGatewayHarness, type GatewayHarness } from './support/harness.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const root = join(import.meta.dirname, '..', '..');

async function legacyStatus(url: string, bearer: string): Promise<number> {
  const res = await send(`${url}/api/v1/platform/context`, 'GET', [
    ['Authorization', `Bearer ${bearer}`],
    ['X-Tenant-Id', 'tenant-alpha'],
  ]);
  return res.status;
}

function platformContext(h: GatewayHarness, bearer: string) {
  return send(`${h.url}/api/v1/platform/context`, 'GET', [['Authorization', `Bearer ${bearer}`]]);
}

async function startGatewayProcess(h: GatewayHarness): Promise<{ url: string; child: ChildProcess }> {
  const basePort = await freeBasePort(1);
  const sets: Record<string, string> = {
    'database.url': h.t.adminUrl,
    'database.runtimeUrl': h.t.runtimeUrl,
    'database.dataDir': join(h.t.stateDir, 'pg'),
    'secrets.keyEncryptionKey': h.t.keyEncryptionKey,
    'server.basePort': String(basePort),
    'server.logLevel': 'silent',
    'authority.issuer': issuer(h.config),
    'gateway.upstreams.authority': h.authority.url,
    'gateway.upstreams.platform': h.echo.url,
    'gateway.upstreams.scanner': h.echo.url,
    'gateway.upstreams.graph': h.echo.url,
    'flags.pollIntervalMs': '250',
  };
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'gateway', ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`second gateway did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /gateway listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`second gateway exited with ${code}: ${err}`)));
  });
  return { url, child };
}

describe('flag flips reach every gateway process within a second', () => {
  let h: GatewayHarness;
  let second: { url: string; child: ChildProcess } | null = null;
  before(async () => {
    h = await startGatewayHarness();
    second = await startGatewayProcess(h);
  });
  after(async () => {
    if (second) {
      const exited = new Promise((r) => second!.child.once('exit', r));
      second.child.kill('SIGTERM');
      await exited;
    }
    await h.close();
  });

  it('strict mode flipped on and off is obeyed by both processes within 1 s', async () => {
    const bearer = await h.minter.mint();
    for (const url of [h.url, second!.url]) assert.equal(await legacyStatus(url, bearer), 200, `${url} before the flip`);
    for (const [value, expected] of [
      ['all', 400],
      ['off', 200],
    ] as const) {
      const flippedAt = Date.now();
      await setFlags(h.t.db, [{ name: 'gateway.strictMode', value }], { actor: 'test', reason: 'two-process flip' });
      const seenAfter = await Promise.all(
        [h.url, second!.url].map(async (url) => {
          for (;;) {
            if ((await legacyStatus(url, bearer)) === expected) return Date.now() - flippedAt;
            if (Date.now() - flippedAt > 5000) return Infinity;
            await new Promise((r) => setTimeout(r, 20));
          }
        }),
      );
      for (const ms of seenAfter) assert.ok(ms <= 1000, `strictMode=${value} seen after ${ms} ms (${seenAfter.join(', ')})`);
    }
  });
});

describe('Authority unavailable', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness({ overrides: { 'gateway.jwksCooldownMs': 60_000 } });
  });
  after(async () => h.close());

  it('an unknown kid refetches the key set once per cooldown', async () => {
    assert.equal((await platformContext(h, await h.minter.mint())).status, 200);
    await h.minter.rotate();
    const hitsBefore = h.authority.jwksHits;
    // The rotated key is unknown to the gateway: one refetch admits it.
    assert.equal((await platformContext(h, await h.minter.mint())).status, 200);
    assert.equal(h.authority.jwksHits, hitsBefore + 1);
    // Forged kids within the cooldown cause no further fetches.
    for (let i = 0; i < 20; i++) {
      const forged = await h.minter.mint({ header: { kid: `forged-${i}` } });
      assert.equal((await platformContext(h, forged)).status, 401);
    }
    assert.equal(h.authority.jwksHits, hitsBefore + 1);
  });

  it('with the Authority stopped, tokens signed by cached keys still verify', async () => {
    await h.authority.close();
    for (let i = 0; i < 5; i++) {
      // Fresh tokens (new jti), so the verified-token cache cannot be what answers.
      assert.equal((await platformContext(h, await h.minter.mint())).status, 200);
    }
    assert.equal((await platformContext(h, await h.minter.mint({ foreignKey: true }))).status, 401);
  });
});

describe('a 30-second database outage loses no counter', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness();
  });
  after(async () => h.close());

  it('legacy-header counts made before, during and after the outage all land exactly once', async () => {
    const runtime = new URL(h.t.runtimeUrl);
    const proxy = await startTcpProxy(runtime.hostname, Number(runtime.port));
    runtime.hostname = '127.0.0.1';
    runtime.port = String(proxy.port);
    const basePort = await freeBasePort(1);
    const config = h.t.config({
      'server.basePort': basePort,
      'authority.issuer': issuer(h.config),
      'gateway.upstreams': { authority: h.authority.url, platform: h.echo.url, scanner: h.echo.url, graph: h.echo.url },
      'telemetry.flushIntervalMs': 300,
    });
    const ctx = await createComponentContext({ name: 'gateway', config, runtimeUrl: runtime.toString(), keyEncryptionKey: h.t.keyEncryptionKey });
    const gateway = await startGateway(ctx);
    const client = 'outage-client';
    const bearer = await h.minter.mint({ claims: { sub: client, client_id: client } });
    let sent = 0;
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) {
        assert.equal(await legacyStatus(gateway.url, bearer), 200);
        sent++;
      }
    };
    try {
      await burst(10);
      await proxy.cut();
      const outageStart = Date.now();
      while (Date.now() - outageStart < 30_000) {
        await burst(5);
        await new Promise((r) => setTimeout(r, 1000));
      }
      await proxy.restore();
      await burst(10);
      const day = utcDay(new Date());
      const deadline = Date.now() + 20_000;
      let counted = 0;
      while (Date.now() < deadline) {
        const rows = await readDailyCounters(h.t.db, day, day, [signals.gatewayLegacyHeader]);
        counted = rows.filter((r) => r.client === client).reduce((s, r) => s + r.count, 0);
        if (counted >= sent && ctx.counters.bufferedCells === 0) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(counted, sent, `counted ${counted} of ${sent} legacy uses`);
      const beats = await h.t.db.query('select count(*)::int as n from telemetry.heartbeats where instance_id = $1', [ctx.instance.instanceId]);
      assert.equal(beats.rows[0].n, 1);
    } finally {
      await gateway.close();
      await proxy.close();
    }
  });
});
