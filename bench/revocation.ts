/**
 * How long a revocation takes to reach every gateway: the Authority and Platform in this
 * process, two gateways as separate `tenantgate gateway` processes on one database. Each
 * round takes a fresh token, has both gateways accept it (so it sits in their caches), revokes
 * it (RFC 7009) and measures, per gateway, the time from the revocation's answer to the
 * gateway's first 401 (probing every 2 ms). Two modes, in one run:
 *
 *   notify — as deployed: NOTIFY on tenantgate_revocations, poll every second as fallback;
 *   poll   — the LISTEN connection pointed at a closed port: the 1 s poll alone.
 *
 *   node --import tsx bench/revocation.ts [--rounds 30]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { validateConfig } from '../src/config/load.ts';
import { componentUrl } from '../src/config/schema.ts';
import { readDemoCredentials } from '../src/demo/credentials.ts';
import { startStack } from '../src/stack.ts';
import { freeBasePort, freePort } from '../test/support/ports.ts';
import { startBenchDatabase } from './support/database.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } });
const ROUNDS = Number(args.rounds);
const PATH = '/api/v1/platform/topology/environments';
const root = join(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const db = await startBenchDatabase('revocation');
const stateDir = mkdtempSync(join(tmpdir(), 'tenantgate-bench-revocation-'));
const keyEncryptionKey = randomBytes(32).toString('base64url');
const basePort = await freeBasePort();
const issuer = `http://127.0.0.1:${basePort}`;
const config = validateConfig({
  server: { basePort, logLevel: 'warn' },
  authority: { issuer },
  database: { url: db.adminUrl, runtimeUrl: db.runtimeUrl, dataDir: join(stateDir, 'pg') },
  secrets: { keyEncryptionKey },
  demo: { seed: true },
});
const prepared = { adminUrl: db.adminUrl, runtimeUrl: db.runtimeUrl, keyEncryptionKey, embedded: null, migrations: null, stop: async () => undefined };
const stack = await startStack({ config, prepared, cwd: stateDir, components: ['authority', 'platform'] });
const credentials = readDemoCredentials(stack.credentialsFile)!;
const authority = componentUrl(config, 'authority');
const platform = componentUrl(config, 'platform');

interface GatewayProcess {
  url: string;
  child: ChildProcess;
}

async function startGateway(port: number, listenUrl: string | null): Promise<GatewayProcess> {
  const sets: Record<string, string> = {
    'server.basePort': String(port),
    'server.logLevel': 'warn',
    'authority.issuer': issuer,
    'database.runtimeUrl': db.runtimeUrl,
    'secrets.keyEncryptionKey': keyEncryptionKey,
    'gateway.upstreams.platform': platform,
    'gateway.upstreams.authority': authority,
    'gateway.revocationPollMs': '1000',
    ...(listenUrl ? { 'database.listenUrl': listenUrl } : {}),
  };
  const argv = ['--import', import.meta.resolve('tsx'), join(root, 'src/cli/main.ts'), 'gateway', ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const child = spawn(process.execPath, argv, { cwd: stateDir, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`gateway on ${port} exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return { url, child };
    await sleep(100);
  }
  throw new Error(`gateway on ${port} not ready`);
}

async function stopGateway(g: GatewayProcess): Promise<void> {
  const exited = new Promise((r) => g.child.once('exit', r));
  g.child.kill('SIGTERM');
  await exited;
}

async function token(): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'scanner-bot', client_secret: credentials.clients['scanner-bot'].secret, tenant: 'tenant-alpha' });
  const res = await fetch(`${authority}/connect/token`, { method: 'POST', body: form });
  return ((await res.json()) as { access_token: string }).access_token;
}

const status = (gateway: string, tok: string) =>
  fetch(`${gateway}${PATH}`, { headers: { authorization: `Bearer ${tok}` } }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

/** Milliseconds from `since` to the gateway's first 401 for `tok`. */
async function until401(gateway: string, tok: string, since: number): Promise<number> {
  for (;;) {
    if ((await status(gateway, tok)) === 401) return performance.now() - since;
    if (performance.now() - since > 30_000) return Infinity;
    await sleep(2);
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function mode(name: string, listenUrl: string | null): Promise<void> {
  const gateways = [await startGateway(await freePort(), listenUrl), await startGateway(await freePort(), listenUrl)];
  const delays: number[][] = [[], []];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const tok = await token();
      for (const g of gateways) if ((await status(g.url, tok)) !== 200) throw new Error('a fresh token was refused');
      const form = new URLSearchParams({ token: tok, client_id: 'scanner-bot', client_secret: credentials.clients['scanner-bot'].secret });
      const res = await fetch(`${authority}/connect/revoke`, { method: 'POST', body: form });
      if (res.status !== 200) throw new Error(`revoke answered ${res.status}`);
      const since = performance.now();
      const both = await Promise.all(gateways.map((g) => until401(g.url, tok, since)));
      both.forEach((ms, i) => delays[i].push(ms));
    }
  } finally {
    for (const g of gateways) await stopGateway(g);
  }
  const all = delays.flat();
  const row = (label: string, xs: number[]) =>
    `| ${name} | ${label} | ${xs.length} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} | ${xs.filter((x) => x > 2000).length} |`;
  process.stdout.write(`${row('gateway 1', delays[0])}\n${row('gateway 2', delays[1])}\n${row('both', all)}\n`);
}

process.stdout.write(`## revocation → 401 at two gateway processes, ${ROUNDS} rounds\n`);
process.stdout.write('| mode | gateway | revocations | p50 ms | p95 ms | max ms | over 2 s |\n|---|---|---:|---:|---:|---:|---:|\n');
try {
  await mode('notify', null);
  // A closed port: LISTEN never connects, the poll alone delivers.
  await mode('poll', `postgres://nobody:x@127.0.0.1:${await freePort()}/none`);
} finally {
  await stack.stop();
  await db.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
