/**
 * What clients see during a database outage: the whole stack (Authority, modules, gateway)
 * on a throwaway embedded PostgreSQL reached through a TCP proxy the script cuts. Two
 * scenarios, each `--outage` seconds under a closed-loop load through the gateway:
 *
 *   refuse — the server is gone (connections refused, open ones reset);
 *   hang   — the server stops answering (connections accepted, nothing forwarded).
 *
 * For each it prints status codes and their counts before, during and after the outage,
 * latency (p50/p99/max), `/readyz` of the gateway and of the module, the log lines written,
 * and the time from the database's return to the first and to steady 200s.
 *
 *   node --import tsx bench/db-outage.ts [--outage 20] [--connections 16] [--before 5] [--after 10]
 */
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { validateConfig } from '../src/config/load.ts';
import { componentUrl } from '../src/config/schema.ts';
import { readDemoCredentials } from '../src/demo/credentials.ts';
import { createLogger } from '../src/host/logger.ts';
import { startStack } from '../src/stack.ts';
import { startCuttableProxy, type ProxyMode } from '../test/support/cuttable-proxy.ts';
import { freeBasePort } from '../test/support/ports.ts';
import { startBenchDatabase } from './support/database.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const { values: args } = parseArgs({
  options: {
    outage: { type: 'string', default: '20' },
    connections: { type: 'string', default: '16' },
    before: { type: 'string', default: '5' },
    after: { type: 'string', default: '10' },
  },
});
const OUTAGE_S = Number(args.outage);
const CONNECTIONS = Number(args.connections);
const BEFORE_S = Number(args.before);
const AFTER_S = Number(args.after);
const PATH = '/api/v1/platform/topology/environments';

type Phase = 'before' | 'outage' | 'after';
interface Sample {
  phase: Phase;
  at: number;
  status: number;
  ms: number;
}

let logLines = 0;
const counting = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const b of chunk) if (b === 10) logLines++;
    done();
  },
});

const db = await startBenchDatabase('outage');
const proxy = await startCuttableProxy();
const stateDir = mkdtempSync(join(tmpdir(), 'tenantgate-bench-outage-'));
const basePort = await freeBasePort();
const config = validateConfig({
  server: { basePort, logLevel: 'warn', shutdownGraceMs: 2000 },
  database: { url: db.adminUrl, runtimeUrl: db.runtimeUrl, dataDir: join(stateDir, 'pg'), poolMax: 10 },
  secrets: { keyEncryptionKey: randomBytes(32).toString('base64url') },
  demo: { seed: true },
});
const prepared = { adminUrl: db.adminUrl, runtimeUrl: proxy.via(db.runtimeUrl), keyEncryptionKey: config.secrets.keyEncryptionKey!, embedded: null, migrations: null, stop: async () => undefined };
const stack = await startStack({ config, prepared, cwd: stateDir, logger: createLogger('tenantgate', 'warn', counting) });
const credentials = readDemoCredentials(stack.credentialsFile)!;
const gateway = componentUrl(config, 'gateway');
const platform = componentUrl(config, 'platform');

const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'scanner-bot', client_secret: credentials.clients['scanner-bot'].secret, tenant: 'tenant-alpha' });
const tokenRes = await fetch(`${gateway}/connect/token`, { method: 'POST', body: form });
const token = ((await tokenRes.json()) as { access_token: string }).access_token;

const pool = new Pool(gateway, { connections: CONNECTIONS, headersTimeout: 60_000, bodyTimeout: 60_000 });

async function request(): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  try {
    const res = await pool.request({ method: 'GET', path: PATH, headers: { authorization: `Bearer ${token}` } });
    await res.body.dump();
    return { status: res.statusCode, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

async function readyz(base: string): Promise<number> {
  try {
    const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

const pct = (xs: number[], p: number) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]);

async function scenario(mode: Exclude<ProxyMode, 'pass'>) {
  const samples: Sample[] = [];
  const ready: { phase: Phase; gateway: number; platform: number }[] = [];
  let phase: Phase = 'before';
  let running = true;
  const t0 = performance.now();
  const workers = Array.from({ length: CONNECTIONS }, async () => {
    while (running) {
      const started = performance.now();
      const r = await request();
      // A request counts in the phase it was answered in (one in flight at the cut is an outage answer).
      samples.push({ phase, at: started - t0, status: r.status, ms: r.ms });
    }
  });
  const prober = (async () => {
    while (running) {
      const at = phase;
      const [g, p] = await Promise.all([readyz(gateway), readyz(platform)]);
      ready.push({ phase: at, gateway: g, platform: p });
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  await new Promise((r) => setTimeout(r, BEFORE_S * 1000));
  const logsBefore = logLines;
  phase = 'outage';
  await proxy.set(mode);
  const cutAt = performance.now() - t0;
  await new Promise((r) => setTimeout(r, OUTAGE_S * 1000));
  const logsDuring = logLines - logsBefore;
  phase = 'after';
  await proxy.set('pass');
  const backAt = performance.now() - t0;
  await new Promise((r) => setTimeout(r, AFTER_S * 1000));
  running = false;
  await Promise.all(workers);
  await prober;

  // By answer time: the first 200 after the return, and the answer after which every answer was 200.
  const after = samples.filter((s) => s.phase === 'after').map((s) => ({ ...s, end: s.at + s.ms })).sort((a, b) => a.end - b.end);
  const firstOk = after.find((s) => s.status === 200);
  let steadyAt: number | null = null;
  for (let i = after.length - 1; i >= 0 && after[i].status === 200; i--) steadyAt = after[i].end;
  console.log(`\n## ${mode}: ${OUTAGE_S} s outage, ${CONNECTIONS} connections, GET ${PATH} through the gateway`);
  console.log('| phase | requests | status codes | p50 ms | p99 ms | max ms | gateway /readyz | platform /readyz |');
  console.log('|---|---:|---|---:|---:|---:|---|---|');
  for (const p of ['before', 'outage', 'after'] as Phase[]) {
    const xs = samples.filter((s) => s.phase === p);
    const codes = new Map<number, number>();
    for (const s of xs) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);
    const codeText = [...codes].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c === 0 ? 'conn-error' : c}: ${n}`).join(', ');
    const r = ready.filter((x) => x.phase === p);
    const readyText = (k: 'gateway' | 'platform') => {
      const m = new Map<number, number>();
      for (const x of r) m.set(x[k], (m.get(x[k]) ?? 0) + 1);
      return [...m].map(([c, n]) => `${c === 0 ? 'timeout' : c}×${n}`).join(' ');
    };
    const ms = xs.map((s) => s.ms);
    console.log(`| ${p} | ${xs.length} | ${codeText} | ${pct(ms, 50).toFixed(1)} | ${pct(ms, 99).toFixed(1)} | ${Math.max(0, ...ms).toFixed(0)} | ${readyText('gateway')} | ${readyText('platform')} |`);
  }
  console.log(`log lines written during the outage: ${logsDuring}`);
  console.log(`cut at ${(cutAt / 1000).toFixed(1)} s; database back at ${(backAt / 1000).toFixed(1)} s`);
  console.log(`first 200 answered ${firstOk ? `${(firstOk.end - backAt).toFixed(0)} ms` : 'never'} after the return; only 200s from ${steadyAt === null ? 'never' : `${(steadyAt - backAt).toFixed(0)} ms`} after it`);
  const outage = samples.filter((s) => s.phase === 'outage');
  return { fivehundreds: outage.filter((s) => s.status === 500).length, total: outage.length };
}

try {
  const refuse = await scenario('refuse');
  const hang = await scenario('hang');
  console.log(`\n500s during the outages: refuse ${refuse.fivehundreds} of ${refuse.total}, hang ${hang.fivehundreds} of ${hang.total}`);
} finally {
  await pool.close();
  await stack.stop();
  await proxy.close();
  await db.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
