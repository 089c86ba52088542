/**
 * Gateway overhead, one run, one echo upstream, four cases:
 *   (a) direct to the echo upstream
 *   (b) a bare @fastify/http-proxy in front of it (no auth; same request, token forwarded unread)
 *   (c) the tenantgate gateway, valid bearer token, telemetry on
 *   (d) as (c), every request also carrying a legacy tenant alias (counted)
 *
 * The servers run in a child process; this process only generates load (autocannon), so
 * the two do not compete inside one event loop. The cases run interleaved for several
 * rounds in alternating order (a b c d, d c b a, …) so drift in machine speed hits all of
 * them alike; figures are per-case medians, and the ratios are given both as ratios of those
 * medians and as medians of the per-round (back-to-back) ratios. Besides req/s, p50 and p99
 * it reports the server process's CPU time per request, which stays meaningful on a busy
 * machine where throughput is noisy.
 *
 *   node --import tsx bench/gateway.ts [--duration 5] [--connections 50] [--rounds 6] [--cases abcd] [--profile DIR]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import httpProxy from '@fastify/http-proxy';
// autocannon ships no type declarations.
// @ts-expect-error untyped module
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { validateConfig } from '../src/config/load.ts';
import { withPolicyDefaults } from '../src/rollout/policy/load.ts';
import { prepareDatabase } from '../src/db/connect.ts';
import { startGateway } from '../src/gateway/component.ts';
import { createComponentContext } from '../src/host/context.ts';
import { freeBasePort, freePort } from '../test/support/ports.ts';
import { createMinter, startEcho } from '../test/gateway/support/harness.ts';

interface Targets {
  direct: string;
  bare: string;
  gateway: string;
  bearer: string;
}

type ServerMessage = { type: 'ready'; targets: Targets } | { type: 'cpu'; micros: number; heapBytes: number } | { type: 'profiled' };

/** Child: echo upstream, bare proxy, gateway (with its own embedded PostgreSQL). */
async function serve(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tenantgate-bench-'));
  // The embedded cluster runs as an unprivileged user when we are root: it must reach its directory.
  chmodSync(work, 0o755);
  const echo = await startEcho(undefined, { record: false });
  let minter: Awaited<ReturnType<typeof createMinter>> | null = null;
  const authority = await startEcho(() => minter!.jwks());
  const config = withPolicyDefaults(validateConfig({
    server: { basePort: await freeBasePort(), logLevel: 'silent' },
    database: { dataDir: join(work, 'pg'), embeddedPort: await freePort() },
    gateway: { upstreams: { authority: authority.url, platform: echo.url, scanner: echo.url, graph: echo.url } },
    demo: { seed: false },
  }));
  minter = await createMinter(config);
  const prepared = await prepareDatabase(config, { cwd: work, migrate: true });
  const bare = Fastify({ logger: false });
  await bare.register(httpProxy, { upstream: echo.url, prefix: '/api/v1/platform', rewritePrefix: '/api/v1/platform' });
  const barePort = await freePort();
  await bare.listen({ host: '127.0.0.1', port: barePort });
  const ctx = await createComponentContext({ name: 'gateway', config, runtimeUrl: prepared.runtimeUrl, keyEncryptionKey: prepared.keyEncryptionKey });
  const gateway = await startGateway(ctx);
  const path = '/api/v1/platform/context';
  const send = (m: ServerMessage) => process.send!(m);
  // CPU profiles cover the measured load only (not start-up or warm-up): the parent starts
  // and stops the profiler around each case.
  const profiler = new Session();
  profiler.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => profiler.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  process.on('message', async (m: { type: string; file?: string }) => {
    if (m.type === 'profile-start') {
      await post('Profiler.start');
      send({ type: 'profiled' });
    } else if (m.type === 'profile-stop') {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      writeFileSync(m.file!, JSON.stringify(profile));
      send({ type: 'profiled' });
    } else if (m.type === 'cpu') {
      const u = process.cpuUsage();
      send({ type: 'cpu', micros: u.user + u.system, heapBytes: process.memoryUsage().heapUsed });
    } else if (m.type === 'stop') {
      await gateway.close();
      await bare.close();
      await echo.close();
      await authority.close();
      await prepared.stop();
      rmSync(work, { recursive: true, force: true });
      process.exit(0);
    }
  });
  send({ type: 'ready', targets: { direct: `${echo.url}${path}`, bare: `http://127.0.0.1:${barePort}${path}`, gateway: `${gateway.url}${path}`, bearer: await minter.mint({ expiresIn: 3600 }) } });
}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
  errors: number;
  non2xx: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function measure(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '6' },
      // Writes a V8 CPU profile of the server process per case and round into this directory.
      profile: { type: 'string' },
      // Which cases to run (letters a-d); ratios need a, b and c.
      cases: { type: 'string', default: 'abcd' },
    },
  });
  const duration = Number(args.duration);
  const connections = Number(args.connections);
  const rounds = Number(args.rounds);

  const execArgv = ['--import', 'tsx'];
  if (args.profile) mkdirSync(args.profile, { recursive: true });
  const child: ChildProcess = fork(import.meta.filename, ['--serve'], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type: ServerMessage['type']) =>
    new Promise<ServerMessage>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench server exited with ${code}`));
      const onMessage = (m: ServerMessage) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = (await next('ready')) as Extract<ServerMessage, { type: 'ready' }>;
  const heapAfterRound: number[] = [];
  let lastHeap = 0;
  const cpu = async () => {
    const reply = next('cpu');
    child.send({ type: 'cpu' });
    const m = (await reply) as Extract<ServerMessage, { type: 'cpu' }>;
    lastHeap = m.heapBytes;
    return m.micros;
  };

  const control = async (type: string, file?: string) => {
    const reply = next('profiled');
    child.send({ type, file });
    await reply;
  };

  const t = ready.targets;
  const all: [string, string, Record<string, string>][] = [
    ['(a) direct echo', t.direct, {}],
    // The same request bytes as (c): the bare proxy forwards the bearer token without looking at it.
    ['(b) bare @fastify/http-proxy', t.bare, { authorization: `Bearer ${t.bearer}` }],
    ['(c) gateway, token + telemetry', t.gateway, { authorization: `Bearer ${t.bearer}` }],
    ['(d) gateway, legacy alias on every request', t.gateway, { authorization: `Bearer ${t.bearer}`, 'x-tenant-id': 'tenant-alpha' }],
  ];
  const cases = all.filter(([name]) => args.cases.includes(name[1]));
  const runs: Figures[][] = cases.map(() => []);
  try {
    // Warm-up: connection pools, JIT, the token cache.
    for (const [, url, headers] of cases) await autocannon({ url, connections, duration: 2, headers });
    for (let round = 0; round < rounds; round++) {
      // a b c d, then d c b a, …: a drift in machine speed during the run hits every case alike.
      const order = cases.map((_, i) => (round % 2 === 0 ? i : cases.length - 1 - i));
      for (const i of order) {
        const [name, url, headers] = cases[i];
        if (args.profile) await control('profile-start');
        const before = await cpu();
        const r = await autocannon({ url, connections, duration, headers });
        const used = (await cpu()) - before;
        if (args.profile) await control('profile-stop', join(args.profile, `${name.slice(1, 2)}-round${round + 1}.cpuprofile`));
        runs[i].push({ name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpuMicrosPerRequest: used / Math.max(r.requests.total, 1), errors: r.errors, non2xx: r.non2xx });
      }
      heapAfterRound.push(lastHeap);
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ type: 'stop' });
    await exited;
  }

  const results: Figures[] = runs.map((r) => ({
    name: r[0].name,
    rps: median(r.map((x) => x.rps)),
    p50: median(r.map((x) => x.p50)),
    p99: median(r.map((x) => x.p99)),
    cpuMicrosPerRequest: median(r.map((x) => x.cpuMicrosPerRequest)),
    errors: r.reduce((s, x) => s + x.errors, 0),
    non2xx: r.reduce((s, x) => s + x.non2xx, 0),
  }));
  const by = (letter: string) => results.find((r) => r.name[1] === letter);
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(by);
  const ratio = (x: number, y: number) => (x / Math.max(y, 1e-9)).toFixed(3);
  // Paired ratios: case x against case y within each round (measured back to back), then the
  // median over rounds — steadier than a ratio of medians when the machine's speed drifts.
  const roundsOf = (letter: string) => runs.find((r) => r[0].name[1] === letter);
  const paired = (x: string, y: string, field: 'rps' | 'p99' | 'cpuMicrosPerRequest') => {
    const rx = roundsOf(x)!;
    const ry = roundsOf(y)!;
    return median(rx.map((v, i) => v[field] / Math.max(ry[i][field], field === 'p99' ? 1 : 1e-9))).toFixed(3);
  };
  const lines = [
    `gateway benchmark: ${connections} connections, ${duration} s per case, ${rounds} interleaved rounds (medians), node ${process.version}`,
    '',
    '| case | req/s | p50 ms | p99 ms | server CPU µs/req | errors | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.cpuMicrosPerRequest.toFixed(0)} | ${r.errors} | ${r.non2xx} |`),
    '',
    ...runs.map((r) => `${r[0].name} per round: req/s ${r.map((x) => x.rps.toFixed(0)).join(', ')}; CPU µs/req ${r.map((x) => x.cpuMicrosPerRequest.toFixed(0)).join(', ')}`),
    '',
    ...(b && c ? [`throughput c/b = ${ratio(c.rps, b.rps)}; paired per round ${paired('c', 'b', 'rps')} (target >= 0.85)`] : []),
    ...(a && c ? [`throughput c/a = ${ratio(c.rps, a.rps)}`] : []),
    ...(c && d ? [`throughput d/c = ${ratio(d.rps, c.rps)} (cost of counting legacy use)`] : []),
    ...(b && c
      ? [
          `p99 c/b = ${ratio(c.p99, Math.max(b.p99, 1))}; paired per round ${paired('c', 'b', 'p99')} (target <= 1.25)`,
          `server CPU per request c/b = ${ratio(c.cpuMicrosPerRequest, b.cpuMicrosPerRequest)}; paired per round ${paired('c', 'b', 'cpuMicrosPerRequest')}`,
        ]
      : []),
    ...(c && d ? [`server CPU per request d/c = ${ratio(d.cpuMicrosPerRequest, c.cpuMicrosPerRequest)}`] : []),
    `server heap after each round (MB): ${heapAfterRound.map((h) => (h / 1048576).toFixed(1)).join(', ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

if (process.argv.includes('--serve')) await serve();
else await measure();
