/**
 * Gateway overhead and its peers, one run, one echo upstream, eight cases (a ninth on request):
 *   (a) direct to the echo upstream
 *   (e) nginx (Debian nginx-light), bare reverse proxy, one worker, keep-alive upstream
 *   (f) HAProxy 2.6 (Debian haproxy), one thread: ES256 jwt_verify on every request with its
 *       own P-256 key, exp check, the three tenant headers deleted, the canonical one set from
 *       the token's tenant claim (same claims as the gateway's token)
 *   (b) a bare @fastify/http-proxy in front of it (no auth; same request, token forwarded unread)
 *   (c) the tenantgate gateway, valid bearer token, telemetry on
 *   (d) as (c), every request also carrying a legacy tenant alias (counted)
 *   (h) the floor of the gateway's data plane in Node: a node:http server handing every request
 *       straight to the gateway's forwarding stage, no policy (bench/gateway/floor-proxy.ts);
 *       c/h is what the policy and the host cost
 *   (i) as (h) without node:http's server: a node:net server reading requests with llhttp
 *       (bench/gateway/floor-raw.ts, a measuring stick, not a server); h/i is what Node's HTTP
 *       server costs, i/e the ceiling of a data plane on Node
 *   (g) only with --cases …g: as (c) plus an unreserved header of the alias's size, the control
 *       that tells the alias's own cost (d/g) from what one more header costs (g/c)
 *
 * The echo upstream runs in a process of its own, the gateway in another child, the bare proxy
 * and each floor in one of their own, nginx and HAProxy as their own foreground processes: no
 * proxy shares an event loop, a heap or the JIT's type feedback with its upstream or with
 * another proxy; this process only generates load (wrk with one thread, or autocannon). Before
 * measuring, the script proves HAProxy refuses a token signed by another key and an expired
 * one. The cases run interleaved for several rounds in alternating order so drift in machine
 * speed hits all of them alike; figures are per-case medians, and the ratios are given both
 * as ratios of those medians and as medians of the per-round (back-to-back) ratios. Besides
 * req/s, p50 and p99 it reports the server side's CPU time per request (the Node child, plus
 * the peer's serving process for (e) and (f), the floor's for (h) and (i)).
 *
 *   node --import tsx bench/gateway.ts [--duration 5] [--connections 50] [--rounds 6] [--cases aefbcdhi(g)] [--loader wrk|autocannon] [--json FILE] [--profile DIR] [--sign-every-request]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import httpProxy from '@fastify/http-proxy';
import Fastify from 'fastify';
import { decodeJwt } from 'jose';
import { validateConfig } from '../src/config/load.ts';
import { defaultProfile } from '../src/contract/profile.ts';
import { withPolicyDefaults } from '../src/rollout/policy/load.ts';
import { prepareDatabase } from '../src/db/connect.ts';
import { startGateway } from '../src/gateway/component.ts';
import { createComponentContext } from '../src/host/context.ts';
import { freeBasePort, freePort } from '../test/support/ports.ts';
import { createMinter, startEcho } from '../test/gateway/support/harness.ts';
import { ensureBenchParts } from './gateway/debian-parts.ts';
import { startFloorProxy } from './gateway/floor-proxy.ts';
import { startRawFloor } from './gateway/floor-raw.ts';
import { checkHaproxyHonest } from './gateway/honesty.ts';
import { autocannonLoader, wrkLoader, type Loader, type LoaderName } from './gateway/loaders.ts';
import { peersExited, startHaproxy, startNginx, stopPeers, type Peer } from './gateway/peers.ts';
import { peerTokens } from './gateway/peer-token.ts';
import { processCpuMicros } from './gateway/process-cpu.ts';
import { ratios, reportLines, type CaseRuns, type Target } from './gateway/report.ts';

interface Targets {
  direct: string;
  gateway: string;
  bearer: string;
  /** The echo upstream's own process (its CPU counts for every case). */
  echoPid: number;
}

type ServerMessage = { type: 'ready'; targets: Targets } | { type: 'cpu'; micros: number; heapBytes: number } | { type: 'profiled' };

/**
 * The echo upstream in a process of its own: every proxy under test, like nginx and HAProxy,
 * then has its process to itself instead of sharing an event loop with its upstream.
 */
async function serveEcho(): Promise<void> {
  const echo = await startEcho(undefined, { record: false });
  process.send!({ type: 'echo', url: echo.url });
  process.on('disconnect', () => process.exit(0));
}

async function startEchoProcess(): Promise<{ url: string; pid: number; stop(): void }> {
  const proc = fork(import.meta.filename, ['--echo'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('message', (m: { url: string }) => resolve(m.url));
    proc.once('exit', (code) => reject(new Error(`the echo upstream exited (${code})`)));
  });
  return { url, pid: proc.pid!, stop: () => proc.kill('SIGTERM') };
}

/**
 * Child: a bare proxy in front of the echo upstream, in a process of its own — @fastify/http-proxy
 * (b), or the data plane's floor on node:http (h) or on node:net (i).
 */
async function serveBare(): Promise<void> {
  const upstream = process.argv[process.argv.indexOf('--bare') + 1];
  if (process.argv.includes('--floor')) {
    const floor = process.argv.includes('--raw') ? await startRawFloor(upstream) : await startFloorProxy(upstream);
    process.send!({ type: 'bare', url: floor.url });
  } else {
    const bare = Fastify({ logger: false });
    await bare.register(httpProxy, { upstream, prefix: '/api/v1/platform', rewritePrefix: '/api/v1/platform' });
    const port = await freePort();
    await bare.listen({ host: '127.0.0.1', port });
    process.send!({ type: 'bare', url: `http://127.0.0.1:${port}` });
  }
  process.on('disconnect', () => process.exit(0));
}

async function startBareProcess(upstream: string, kind: 'fastify' | 'floor' | 'raw'): Promise<{ url: string; pid: number; stop(): void }> {
  const args = ['--bare', upstream, ...(kind === 'floor' ? ['--floor'] : kind === 'raw' ? ['--floor', '--raw'] : [])];
  const proc = fork(import.meta.filename, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('message', (m: { url: string }) => resolve(m.url));
    proc.once('exit', (code) => reject(new Error(`the bare proxy exited (${code})`)));
  });
  return { url, pid: proc.pid!, stop: () => proc.kill('SIGTERM') };
}

/** Child: the gateway (with its own embedded PostgreSQL); the echo upstream beside it. */
async function serve(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tenantgate-bench-'));
  // The embedded cluster runs as an unprivileged user when we are root: it must reach its directory.
  chmodSync(work, 0o755);
  const echo = await startEchoProcess();
  let minter: Awaited<ReturnType<typeof createMinter>> | null = null;
  const authority = await startEcho(() => minter!.jwks());
  const config = withPolicyDefaults(validateConfig({
    server: { basePort: await freeBasePort(), logLevel: 'silent' },
    database: { dataDir: join(work, 'pg'), embeddedPort: await freePort() },
    gateway: {
      upstreams: { authority: authority.url, platform: echo.url, scanner: echo.url, graph: echo.url },
      identityAssertionReuse: !process.argv.includes('--sign-every-request'),
    },
    demo: { seed: false },
  }));
  minter = await createMinter(config);
  const prepared = await prepareDatabase(config, { cwd: work, migrate: true });
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
      echo.stop();
      await authority.close();
      await prepared.stop();
      rmSync(work, { recursive: true, force: true });
      process.exit(0);
    }
  });
  send({ type: 'ready', targets: { direct: `${echo.url}${path}`, gateway: `${gateway.url}${path}`, bearer: await minter.mint({ expiresIn: 3600 }), echoPid: echo.pid } });
}

const targets: Target[] = [
  { label: 'throughput tenantgate/HAProxy c/f', x: 'c', y: 'f', field: 'rps', bound: { op: '>=', value: 1.0 } },
  { label: 'p99 tenantgate/HAProxy c/f', x: 'c', y: 'f', field: 'p99', bound: { op: '<=', value: 1.1 } },
  { label: 'throughput tenantgate/nginx c/e', x: 'c', y: 'e', field: 'rps', bound: { op: '>=', value: 0.5 } },
  { label: 'throughput legacy/tenantgate d/c', x: 'd', y: 'c', field: 'rps', bound: { op: '>=', value: 0.98 } },
  { label: 'throughput legacy/control d/g', x: 'd', y: 'g', field: 'rps' },
  { label: 'throughput control/tenantgate g/c', x: 'g', y: 'c', field: 'rps' },
  { label: 'throughput floor/nginx h/e', x: 'h', y: 'e', field: 'rps' },
  { label: 'throughput tenantgate/floor c/h', x: 'c', y: 'h', field: 'rps' },
  { label: 'server CPU per request c/h', x: 'c', y: 'h', field: 'cpuMicrosPerRequest' },
  { label: 'throughput raw floor/nginx i/e', x: 'i', y: 'e', field: 'rps' },
  { label: 'throughput floor/raw floor h/i', x: 'h', y: 'i', field: 'rps' },
  { label: 'throughput c/b', x: 'c', y: 'b', field: 'rps', bound: { op: '>=', value: 0.85 } },
  { label: 'p99 c/b', x: 'c', y: 'b', field: 'p99', bound: { op: '<=', value: 1.25 } },
  { label: 'throughput c/a', x: 'c', y: 'a', field: 'rps' },
  { label: 'throughput HAProxy/direct f/a', x: 'f', y: 'a', field: 'rps' },
  { label: 'throughput nginx/direct e/a', x: 'e', y: 'a', field: 'rps' },
  { label: 'server CPU per request c/b', x: 'c', y: 'b', field: 'cpuMicrosPerRequest' },
  { label: 'server CPU per request c/f', x: 'c', y: 'f', field: 'cpuMicrosPerRequest' },
  { label: 'server CPU per request d/c', x: 'd', y: 'c', field: 'cpuMicrosPerRequest' },
];

async function measure(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '6' },
      // Writes a V8 CPU profile of the gateway's process per gateway case (c, d) and round into this directory.
      profile: { type: 'string' },
      // Which cases to run (letters a-g; g, the control for d, only when asked); each ratio needs both of its cases.
      cases: { type: 'string', default: 'aefbcdhi' },
      // wrk (default when installed or installable) or autocannon.
      loader: { type: 'string' },
      // Writes every figure (per round, medians, ratios, HAProxy's checks) as JSON.
      json: { type: 'string' },
      // The gateway signs every request's identity assertion (gateway.identityAssertionReuse false):
      // what per-request signing costs.
      'sign-every-request': { type: 'boolean', default: false },
    },
  });
  const duration = Number(args.duration);
  const connections = Number(args.connections);
  const rounds = Number(args.rounds);
  if (args.loader !== undefined && args.loader !== 'wrk' && args.loader !== 'autocannon') throw new Error('--loader is wrk or autocannon');
  const wanted = (letter: string) => args.cases.includes(letter);
  const parts = ensureBenchParts({ nginx: wanted('e'), haproxy: wanted('f'), wantWrk: args.loader !== 'autocannon' });
  if (args.loader === 'wrk' && !parts.wrk) throw new Error('--loader wrk: wrk is not installed (apt-get install -y wrk)');
  const loaderName: LoaderName = (args.loader as LoaderName | undefined) ?? (parts.wrk ? 'wrk' : 'autocannon');
  const scratch = mkdtempSync(join(tmpdir(), 'tenantgate-bench-load-'));
  const load: Loader = loaderName === 'wrk' ? wrkLoader(scratch) : autocannonLoader;

  const execArgv = ['--import', 'tsx'];
  if (args.profile) mkdirSync(args.profile, { recursive: true });
  const serveArgs = ['--serve', ...(args['sign-every-request'] ? ['--sign-every-request'] : [])];
  const child: ChildProcess = fork(import.meta.filename, serveArgs, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let bareProxy: Awaited<ReturnType<typeof startBareProcess>> | null = null;
  let floorProxy: Awaited<ReturnType<typeof startBareProcess>> | null = null;
  let rawFloor: Awaited<ReturnType<typeof startBareProcess>> | null = null;
  const cleanUp = () => {
    stopPeers();
    bareProxy?.stop();
    floorProxy?.stop();
    rawFloor?.stop();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(scratch, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(130);
    });
  }
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
  const childCpu = async () => {
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
  const directUrl = new URL(t.direct);
  const upstreamPort = Number(directUrl.port);
  const peers: Peer[] = [];
  const checks: Awaited<ReturnType<typeof checkHaproxyHonest>> = [];
  const peerUrl: Record<string, string> = {};
  const peerPid: Record<string, () => number> = {};
  let haproxyBearer = '';
  const runs: CaseRuns[] = [];
  try {
    if (wanted('b')) {
      bareProxy = await startBareProcess(directUrl.origin, 'fastify');
      peerUrl.b = `${bareProxy.url}${directUrl.pathname}`;
      const bPid = bareProxy.pid;
      peerPid.b = () => bPid;
    }
    if (wanted('h')) {
      floorProxy = await startBareProcess(directUrl.origin, 'floor');
      peerUrl.h = `${floorProxy.url}${directUrl.pathname}`;
      const hPid = floorProxy.pid;
      peerPid.h = () => hPid;
    }
    if (wanted('i')) {
      rawFloor = await startBareProcess(directUrl.origin, 'raw');
      peerUrl.i = `${rawFloor.url}${directUrl.pathname}`;
      const iPid = rawFloor.pid;
      peerPid.i = () => iPid;
    }
    if (wanted('e')) {
      const nginx = await startNginx(upstreamPort);
      peers.push(nginx);
      peerUrl.e = `${nginx.url}${directUrl.pathname}`;
      peerPid.e = nginx.servingPid;
    }
    if (wanted('f')) {
      const tokens = await peerTokens(t.bearer);
      const haproxy = await startHaproxy(upstreamPort, tokens.publicPem, defaultProfile);
      peers.push(haproxy);
      peerUrl.f = `${haproxy.url}${directUrl.pathname}`;
      peerPid.f = haproxy.servingPid;
      haproxyBearer = tokens.good;
      checks.push(...(await checkHaproxyHonest(peerUrl.f, tokens, String(decodeJwt(t.bearer)[defaultProfile.selectedTenantClaim]), defaultProfile)));
      process.stdout.write(`HAProxy honesty check: ${checks.map((c) => `${c.token} token -> ${c.status} (expected ${c.expected}) ${c.ok ? 'ok' : 'FAILED'}`).join('; ')}\n`);
      if (checks.some((c) => !c.ok)) throw new Error('HAProxy does not verify tokens as configured: not measuring it');
    }
    const bearer = { authorization: `Bearer ${t.bearer}` };
    const all: [string, string, string, Record<string, string>][] = [
      ['a', '(a) direct echo', t.direct, {}],
      ['e', '(e) nginx, bare reverse proxy', peerUrl.e, {}],
      ['f', '(f) HAProxy, ES256 jwt_verify + exp + tenant headers', peerUrl.f, { authorization: `Bearer ${haproxyBearer}` }],
      // The same request bytes as (c): the bare proxy forwards the bearer token without looking at it.
      ['b', '(b) bare @fastify/http-proxy', peerUrl.b, bearer],
      ['c', '(c) gateway, token + telemetry', t.gateway, bearer],
      ['d', '(d) gateway, legacy alias on every request', t.gateway, { ...bearer, 'x-tenant-id': 'tenant-alpha' }],
      // The control for (d): a header of the alias's size that nothing reserves (one letter off).
      ['g', "(g) gateway, an unreserved header of the alias's size", t.gateway, { ...bearer, 'x-tenant-ix': 'tenant-alpha' }],
      // The same request bytes as (c), forwarded with no policy at all.
      ['h', '(h) floor: node:http + the gateway forwarding stage', peerUrl.h, bearer],
      ['i', '(i) floor without node:http: node:net + llhttp + the upstream client', peerUrl.i, bearer],
    ];
    const cases = all.filter(([letter]) => wanted(letter));
    runs.push(...cases.map(([letter, name]) => ({ letter, name, rounds: [] })));
    // The server side's CPU: the proxy's process (the gateway child, or the serving process of the
    // bare proxy, a floor or a peer) and the echo upstream's.
    const proxyCpu = async (letter: string) => (letter === 'c' || letter === 'd' || letter === 'g' ? await childCpu() : peerPid[letter] ? processCpuMicros(peerPid[letter]()) : 0);
    const serverCpu = async (letter: string) => (await proxyCpu(letter)) + processCpuMicros(t.echoPid);
    // Warm-up: connection pools, JIT, the token cache.
    for (const [, , url, headers] of cases) await load({ url, connections, duration: 2, headers });
    for (let round = 0; round < rounds; round++) {
      // a e f b c d, then d c b f e a, …: a drift in machine speed during the run hits every case alike.
      const order = cases.map((_, i) => (round % 2 === 0 ? i : cases.length - 1 - i));
      for (const i of order) {
        const [letter, name, url, headers] = cases[i];
        const profiled = args.profile !== undefined && (letter === 'c' || letter === 'd');
        if (profiled) await control('profile-start');
        const before = await serverCpu(letter);
        const r = await load({ url, connections, duration, headers });
        const used = (await serverCpu(letter)) - before;
        if (profiled) await control('profile-stop', join(args.profile!, `${letter}-round${round + 1}.cpuprofile`));
        runs[i].rounds.push({ name, rps: r.rps, p50: r.p50, p99: r.p99, cpuMicrosPerRequest: used / Math.max(r.requests, 1), errors: r.errors, non2xx: r.non2xx });
      }
      heapAfterRound.push(lastHeap);
    }
  } finally {
    stopPeers();
    bareProxy?.stop();
    floorProxy?.stop();
    rawFloor?.stop();
    await peersExited(peers);
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ type: 'stop' });
    await exited;
    rmSync(scratch, { recursive: true, force: true });
  }

  const figures = ratios(runs, targets);
  const header = `gateway benchmark: ${loaderName}${loaderName === 'wrk' ? ' (1 thread)' : ''}, ${connections} connections, ${duration} s per case, ${rounds} interleaved rounds (medians), node ${process.version}`;
  process.stdout.write(reportLines(header, runs, figures, heapAfterRound).join('\n') + '\n');
  if (args.json) {
    writeFileSync(args.json, JSON.stringify({ loader: loaderName, connections, duration, rounds, node: process.version, haproxyChecks: checks, cases: runs, ratios: figures, heapAfterRound }, null, 2) + '\n');
  }
}

if (process.argv.includes('--echo')) await serveEcho();
else if (process.argv.includes('--bare')) await serveBare();
else if (process.argv.includes('--serve')) await serve();
else await measure();
