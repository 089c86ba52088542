/**
 * `tenantgate gateway` with `gateway.workers=2`: a real primary and two real worker processes
 * on one port, in front of an Authority and Platform on the test database. Every request is
 * sent on a connection whose worker is known (its /healthz named the worker's instance id
 * first), so each check below holds for each worker, not for whichever one answered.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setFlags } from '../../src/flags/store.ts';
import { readDailyTelemetry } from '../../src/rollout/state/read-daily-telemetry.ts';
import { legacySignals, signals } from '../../src/telemetry/signals.ts';
import { utcDay } from '../../src/telemetry/clock.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { cliArgs, databaseSets, exited } from '../support/cli.ts';
import { ensureDebian } from '../support/debian.ts';
import { clientToken } from '../support/gateway-client.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

const root = join(import.meta.dirname, '..', '..');
const ENVIRONMENTS = '/api/v1/platform/topology/environments';
const LEGACY = 'X-Stella-Tenant';
let output = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  body: string;
}

/** One HTTP/1.1 request on `agent` (one kept-alive socket: always the same worker). */
function send(base: string, agent: Agent, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Until `check` holds (every 50 ms), or fails after `ms`. */
async function eventually(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`${what}: not within ${ms} ms${output ? `\n--- the cluster's output:\n${output}` : ''}`);
}

describe('gateway.workers = 2: one port, two gateway processes, one truth in PostgreSQL', () => {
  let ts: TestStack;
  let base: string;
  let primary: ChildProcess;
  /** Worker instance id → a connection served by that worker. */
  let workers = new Map<string, Agent>();
  let token: string;
  const day = utcDay(new Date());

  /** Opens connections until `count` distinct workers answered /healthz on them (or `attempts` ran out). */
  async function connectToWorkers(count = 2, exclude: ReadonlySet<string> = new Set(), attempts = 40): Promise<Map<string, Agent>> {
    const found = new Map<string, Agent>();
    for (let attempt = 0; attempt < attempts && found.size < count; attempt++) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const health = await send(base, agent, '/healthz');
      assert.equal(health.status, 200, health.body);
      const instance = JSON.parse(health.body).instance as string;
      if (found.has(instance) || exclude.has(instance)) agent.destroy();
      else found.set(instance, agent);
    }
    if (attempts >= 40) assert.equal(found.size, count, `connections reached ${found.size} distinct workers`);
    return found;
  }

  const legacyCall = (agent: Agent, bearer = token) => send(base, agent, ENVIRONMENTS, { authorization: `Bearer ${bearer}`, [LEGACY]: 'tenant-alpha' });
  const legacyCount = async () =>
    (await readDailyCounters(ts.t.db, day, day, [signals.gatewayLegacyHeader])).filter((r) => r.alias === LEGACY && r.client === 'scanner-bot').reduce((s, r) => s + r.count, 0);
  const liveGatewayInstances = async () =>
    (await ts.t.db.query(`select instance_id, pid, flag_version::int as flag_version from telemetry.instances where component = 'gateway' and stopped_at is null`)).rows as {
      instance_id: string;
      pid: number;
      flag_version: number;
    }[];

  before(async () => {
    // The Authority and Platform in this process; the gateway is the cluster under test, on
    // the stack's gateway port (so the issuer and the upstream ports are the defaults).
    ts = await startTestStack({ components: ['authority', 'platform'] });
    const port = ts.config.server.basePort;
    base = `http://127.0.0.1:${port}`;
    const sets = [
      'gateway.workers=2',
      'server.logLevel=warn',
      'server.shutdownGraceMs=2000',
      'telemetry.flushIntervalMs=1000',
      'flags.pollIntervalMs=250',
      // Polling once a minute: only each worker's own LISTEN can deliver a revocation in time.
      'gateway.revocationPollMs=60000',
    ].flatMap((s) => ['--set', s]);
    primary = spawn(process.execPath, cliArgs(['gateway', '--port', String(port), ...databaseSets(ts.t), ...sets]), {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    primary.stdout!.on('data', (d) => (output += d));
    primary.stderr!.on('data', (d) => (output += d));
    await eventually(90_000, "the cluster coming up", async () => {
      if (primary.exitCode !== null) assert.fail(`the primary exited with ${primary.exitCode}:\n${output}`);
      return output.includes(`gateway listening on ${base} (2 workers)`);
    });
    workers = await connectToWorkers();
    token = await clientToken(base, ts.credentials, 'scanner-bot', { tenant: 'tenant-alpha' });
  });

  after(async () => {
    for (const agent of workers.values()) agent.destroy();
    if (primary && primary.exitCode === null && primary.signalCode === null) {
      primary.kill('SIGKILL');
      await exited(primary);
    }
    await ts?.stop();
  });

  it('each worker is its own gateway instance in telemetry.instances, none of them the primary', async () => {
    const live = await liveGatewayInstances();
    assert.deepEqual(live.map((i) => i.instance_id).sort(), [...workers.keys()].sort());
    assert.equal(new Set(live.map((i) => i.pid)).size, 2);
    assert.ok(live.every((i) => i.pid !== primary.pid), 'the primary registers no instance');
  });

  it('legacy-header requests spread over both workers add up to exactly N in the durable counter and in /metrics', { timeout: 60_000 }, async () => {
    const [a, b] = [...workers.values()];
    const before = await legacyCount();
    assert.equal(before, 0);
    const batchesBefore = (await ts.t.db.query('select batch_id from telemetry.counter_batches')).rows.map((r) => r.batch_id as string);
    // Uneven on purpose: a worker overwriting the other's cell would show as 35 or 25, not 60.
    const plan = [...Array(35).fill(a), ...Array(25).fill(b)] as Agent[];
    const answers = await Promise.all(plan.map((agent) => legacyCall(agent)));
    assert.deepEqual([...new Set(answers.map((r) => r.status))], [200], answers.find((r) => r.status !== 200)?.body);
    await eventually(10_000, 'the durable legacy counter reaching 60', async () => (await legacyCount()) === 60);
    // Several more flush intervals: nothing is written twice.
    await sleep(2_500);
    assert.equal(await legacyCount(), 60);
    const writers = (await ts.t.db.query('select distinct instance_id from telemetry.counter_batches where not (batch_id = any($1::uuid[]))', [batchesBefore])).rows.map((r) => r.instance_id as string);
    assert.deepEqual(writers.filter((w) => workers.has(w)).sort(), [...workers.keys()].sort(), 'both workers flushed their own batches');
    // What the strict-mode gate reads for the day: the same 60, and a heartbeat from each worker.
    const [today] = await readDailyTelemetry(ts.t.db, day, day, legacySignals);
    assert.equal(today.legacy.filter((l) => l.alias === LEGACY && l.client === 'scanner-bot').reduce((s, l) => s + l.count, 0), 60);
    const beats = await ts.t.db.query('select instance_id from telemetry.heartbeats where utc_day = $1::date and instance_id = any($2)', [day, [...workers.keys()]]);
    assert.equal(beats.rowCount, 2);

    // A scrape at either worker answers for the whole cluster.
    for (const agent of [a, b]) {
      const metrics = await send(base, agent, '/metrics');
      assert.equal(metrics.status, 200);
      const line = metrics.body.split('\n').find((l) => l.startsWith('tenantgate_gateway_legacy_tenant_header_total{') && l.includes(`alias="${LEGACY}"`) && l.includes('client="scanner-bot"'));
      assert.ok(line, 'the legacy counter is exposed');
      assert.equal(Number(line!.split(' ').pop()), 60, line);
      assert.match(metrics.body, /^tenantgate_cluster_workers\{state="serving"[^}]*\} 2$/m);
      assert.match(metrics.body, /^tenantgate_cluster_scrape_workers\{[^}]*\} 2$/m);
    }
    // The aggregate is as clean an exposition as one process's.
    ensureDebian({ pkg: 'prometheus', path: '/usr/bin/promtool' });
    const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: (await send(base, a, '/metrics')).body, encoding: 'utf8' });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  });

  it('a flag flip applies on both workers, and each reports the new flag version', { timeout: 30_000 }, async () => {
    const [change] = await setFlags(ts.t.db, [{ name: 'gateway.legacyHeaders', value: false }], { actor: 'test', reason: 'strict for all' });
    try {
      for (const [instance, agent] of workers) {
        await eventually(5_000, `worker ${instance} refusing the legacy alias`, async () => {
          const r = await legacyCall(agent);
          return r.status === 400 && JSON.parse(r.body).code === 'legacy_tenant_header_rejected';
        });
      }
      await eventually(5_000, 'both workers reporting the new flag version', async () => {
        const live = await liveGatewayInstances();
        return live.length === 2 && live.every((i) => i.flag_version === change.version);
      });
    } finally {
      await setFlags(ts.t.db, [{ name: 'gateway.legacyHeaders', value: true }], { actor: 'test', reason: 'back' });
    }
    for (const [instance, agent] of workers) {
      await eventually(5_000, `worker ${instance} accepting the legacy alias again`, async () => (await legacyCall(agent)).status === 200);
    }
  });

  it('a token revoked at the Authority is refused by every worker (each LISTENs itself)', { timeout: 30_000 }, async () => {
    const doomed = await clientToken(base, ts.credentials, 'scanner-bot', { tenant: 'tenant-alpha' });
    for (const agent of workers.values()) assert.equal((await send(base, agent, ENVIRONMENTS, { authorization: `Bearer ${doomed}` })).status, 200);
    const form = new URLSearchParams({ token: doomed, client_id: 'scanner-bot', client_secret: ts.credentials.clients['scanner-bot'].secret }).toString();
    const revoked = await fetch(`${base}/connect/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    assert.equal(revoked.status, 200);
    for (const [instance, agent] of workers) {
      await eventually(5_000, `worker ${instance} refusing the revoked token`, async () => (await send(base, agent, ENVIRONMENTS, { authorization: `Bearer ${doomed}` })).status === 401);
    }
    for (const agent of workers.values()) assert.equal((await send(base, agent, ENVIRONMENTS, { authorization: `Bearer ${token}` })).status, 200, 'other tokens still pass');
  });

  it('a worker that dies is logged, marked stopped, and replaced by a new one on the same port', { timeout: 60_000 }, async () => {
    const [victimId, survivorId] = [...workers.keys()];
    const victim = (await liveGatewayInstances()).find((i) => i.instance_id === victimId)!;
    process.kill(victim.pid, 'SIGKILL');
    await eventually(10_000, 'the primary logging the death', async () => /gateway worker exited; starting a new one in \d+ ms/.test(output));
    await eventually(10_000, 'the dead worker marked stopped', async () => !(await liveGatewayInstances()).some((i) => i.instance_id === victimId));
    // The replacement: a third instance id, serving beside the survivor.
    let replacement = '';
    await eventually(45_000, 'a replacement worker serving', async () => {
      replacement = (await liveGatewayInstances()).map((i) => i.instance_id).find((id) => id !== survivorId) ?? '';
      return replacement !== '';
    });
    workers.get(victimId)!.destroy();
    workers.delete(victimId);
    // Registered before it listens: connections reach it once it serves.
    let fresh = new Map<string, Agent>();
    await eventually(30_000, 'a connection reaching the replacement', async () => (fresh = await connectToWorkers(1, new Set([survivorId]), 4)).size === 1);
    assert.deepEqual([...fresh.keys()], [replacement]);
    workers.set(replacement, fresh.get(replacement)!);
    assert.equal((await legacyCall(fresh.get(replacement)!)).status, 200);
  });

  it('a cluster whose workers cannot start stops and says why (here: the port is taken by the running one)', { timeout: 60_000 }, async () => {
    const port = ts.config.server.basePort;
    const second = spawn(process.execPath, cliArgs(['gateway', '--port', String(port), ...databaseSets(ts.t), '--set', 'gateway.workers=2', '--set', 'server.logLevel=warn']), {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    second.stdout!.on('data', (d) => (said += d));
    second.stderr!.on('data', (d) => (said += d));
    assert.equal(await exited(second), 1, said);
    assert.match(said, new RegExp(`error: gateway worker [12] could not start: .*EADDRINUSE.*${port}`));
    assert.doesNotMatch(said, /gateway listening on/);
    assert.equal((await liveGatewayInstances()).length, 2, 'the failed cluster left no instance behind');
  });

  it('SIGTERM to the primary drains both workers: counters flushed, instances deregistered, exit 0', { timeout: 60_000 }, async () => {
    // Past a flush interval: what the earlier tests counted is in PostgreSQL.
    await sleep(1_500);
    const counted = await legacyCount();
    const agents = [...workers.values()];
    const answers = await Promise.all(agents.flatMap((agent) => [legacyCall(agent), legacyCall(agent)]));
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 200, 200]);
    const pids = (await liveGatewayInstances()).map((i) => i.pid);
    for (const agent of agents) agent.destroy();
    workers.clear();
    const code = exited(primary);
    primary.kill('SIGTERM');
    assert.equal(await code, 0, output);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} is gone`);
    assert.deepEqual(await liveGatewayInstances(), []);
    // Whatever was still buffered at SIGTERM went out before the workers exited.
    assert.equal(await legacyCount(), counted + 4);
    await assert.rejects(fetch(`${base}/healthz`), 'nothing listens on the port any more');
  });
});
