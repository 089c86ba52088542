/**
 * Token issuance throughput: client_credentials with the audit event persisted, against a
 * baseline route in the same process that only signs the same token.
 *
 *   node --import tsx bench/authority.ts [--seconds 10] [--connections 32] [--rounds 2]
 *
 * Starts a throwaway embedded PostgreSQL, applies the foundation and Authority migrations,
 * seeds the demo identities and starts the Authority. The baseline is a route on a second
 * app built by the same component host (same hooks, metrics and form parsing) that mints the
 * identical access token with the same in-memory key — no client lookup, no secret check, no
 * selection, no audit. autocannon runs in a child process so it does not share the server's
 * event loop. Rounds alternate issuance and baseline; the best round of each is reported.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import formbody from '@fastify/formbody';
import { startAuthority } from '../src/authority/component.ts';
import { seedAuthorityDemo } from '../src/authority/demo-seed.ts';
import { BatchedAuditWriter } from '../src/authority/issuance-audit.ts';
import { loadActiveKey } from '../src/authority/keys/signing-keys.ts';
import { mintAccessToken } from '../src/authority/tokens/access-token.ts';
import { validateConfig } from '../src/config/load.ts';
import { issuer } from '../src/config/schema.ts';
import { Database } from '../src/db/database.ts';
import { readMigrations } from '../src/db/migrate.ts';
import type { DemoCredentials } from '../src/demo/credentials.ts';
import { createApp } from '../src/host/app.ts';
import { createComponentContext } from '../src/host/context.ts';
import { freePort } from '../test/support/ports.ts';
import { startBenchDatabase } from './support/database.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);

interface Run {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
}

/** autocannon in a child process; returns its summary. */
function load(url: string, headers: Record<string, string>, body: string, seconds: number): Promise<Run> {
  const script = `
    import autocannon from 'autocannon';
    const o = JSON.parse(process.argv[1]);
    autocannon({ url: o.url, method: 'POST', headers: o.headers, body: o.body, connections: o.connections, duration: o.seconds }, (err, r) => {
      if (err) { console.error(err); process.exit(1); }
      process.stdout.write(JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], errors: r.non2xx + r.errors + r.timeouts }));
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify({ url, headers, body, connections: CONNECTIONS, seconds })], { cwd: join(import.meta.dirname, '..') });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited ${code}`))));
  });
}

const database = await startBenchDatabase('authority', readMigrations().filter((m) => m.id < '0003' || (m.id >= '0010' && m.id <= '0019')));
const cleanup: (() => Promise<void>)[] = [];
try {
  const { adminUrl, runtimeUrl } = database;
  const keyEncryptionKey = Buffer.alloc(32, 7).toString('base64url');
  const config = validateConfig({
    server: { logLevel: 'silent', basePort: await freePort() },
    database: { url: adminUrl, runtimeUrl, poolMax: 10 },
    secrets: { keyEncryptionKey },
    demo: { seed: false },
  });

  const credentials: DemoCredentials = { clients: {}, users: {} };
  const seedDb = new Database(runtimeUrl, { max: 2 });
  await seedAuthorityDemo({ db: seedDb, config, keyEncryptionKey, credentials });
  await seedDb.close();

  const ctx = await createComponentContext({ name: 'authority', config, runtimeUrl, keyEncryptionKey });
  const authority = await startAuthority(ctx, await freePort());
  cleanup.push(() => authority.close());
  process.stdout.write(`# load average before the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

  // The baseline: the same host, the same form parsing, the same token — signing only.
  const baselineCtx = await createComponentContext({ name: 'authority', config, runtimeUrl, keyEncryptionKey });
  const baselineApp = createApp(baselineCtx);
  await baselineApp.register(formbody);
  const key = await loadActiveKey(baselineCtx.db, keyEncryptionKey);
  if (!key) throw new Error('no signing key');
  baselineApp.post('/bench/sign', async (req) => {
    const body = req.body as Record<string, string>;
    const minted = await mintAccessToken(key, {
      issuer: issuer(config),
      audience: config.authority.audience,
      subject: 'scanner-bot',
      clientId: 'scanner-bot',
      scopes: ['platform:read', 'platform:write', 'scanner:read', 'scanner:write', 'graph:read', 'graph:query', 'graph:export', 'graph:write'],
      tenant: body.tenant,
      allowedTenants: ['tenant-alpha', 'tenant-bravo'],
      ttlSeconds: config.authority.accessTokenTtlSeconds,
      now: new Date(),
      profile: config.profile,
    });
    return { access_token: minted.token, token_type: 'Bearer', expires_in: config.authority.accessTokenTtlSeconds, scope: minted.claims.scope };
  });
  await baselineApp.listen({ host: '127.0.0.1', port: await freePort() });
  cleanup.push(async () => {
    await baselineApp.close();
    await baselineCtx.flags.stop();
    await baselineCtx.counters.stop(1000);
    await baselineCtx.instance.deregister().catch(() => undefined);
    await baselineCtx.db.close();
  });
  const baselineUrl = `http://127.0.0.1:${(baselineApp.server.address() as { port: number }).port}/bench/sign`;

  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: 'Basic ' + Buffer.from(`scanner-bot:${credentials.clients['scanner-bot'].secret}`).toString('base64'),
  };
  const body = 'grant_type=client_credentials&tenant=tenant-bravo';
  const issueUrl = `${authority.url}/connect/token`;

  process.stdout.write(`# ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}, ${CONNECTIONS} connections, ${SECONDS}s per run, ${ROUNDS} rounds\n`);
  // Warm-up: JIT, pool connections, the client cache.
  await load(issueUrl, headers, body, 2);
  await load(baselineUrl, headers, body, 2);
  const issuedCounter = async () => (await ctx.metrics.getSingleMetric('tenantgate_authority_tokens_issued_total')!.get()).values.reduce((n, v) => n + v.value, 0);
  const auditCount = async () => Number((await ctx.db.query("select count(*) as n from telemetry.audit_events where type = 'authority.token.issued'")).rows[0].n);
  const auditBefore = await auditCount();
  const issuedBefore = await issuedCounter();

  const issuance: Run[] = [];
  const baseline: Run[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    issuance.push(await load(issueUrl, headers, body, SECONDS));
    baseline.push(await load(baselineUrl, headers, body, SECONDS));
  }
  // Requests still in flight when autocannon stops are issued and audited but not counted by it: compare with the server's own counter.
  await new Promise((r) => setTimeout(r, 500));
  const auditAfter = await auditCount();
  const issuedAfter = await issuedCounter();
  // The audit path alone: the same writer and event shape, CONNECTIONS concurrent writers, no HTTP.
  const writer = new BatchedAuditWriter(ctx.db);
  const event = { type: 'bench.audit', outcome: 'success', actor: 'scanner-bot', client: 'scanner-bot', tenant: 'tenant-bravo', properties: { grant: 'client_credentials', how: 'requested', jti: '00000000-0000-4000-8000-000000000000', scope: 'scanner:read scanner:write', assigned: ['tenant-alpha', 'tenant-bravo'], requested: 'tenant-bravo' } };
  let written = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < until) {
        await writer.write(event);
        written++;
      }
    }),
  );
  const auditAlone = written / SECONDS;

  const best = (runs: Run[]) => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  const i = best(issuance);
  const b = best(baseline);
  const issued = issuedAfter - issuedBefore;
  const audited = auditAfter - auditBefore;
  const row = (name: string, r: Run) => `| ${name.padEnd(42)} | ${Math.round(r.rps).toString().padStart(6)} | ${String(r.p50).padStart(4)} ms | ${String(r.p99).padStart(4)} ms | ${String(r.errors).padStart(6)} |`;
  process.stdout.write(
    [
      '',
      '| run                                        |  req/s |     p50 |     p99 | errors |',
      '|--------------------------------------------|--------|---------|---------|--------|',
      row('issuance: client_credentials + audit', i),
      row('baseline: sign the same token only', b),
      '',
      `ratio issuance / baseline: ${(i.rps / b.rps).toFixed(2)}`,
      `audit writer alone (${CONNECTIONS} concurrent writers, no HTTP): ${Math.round(auditAlone)} events/s`,
      `audit events persisted during the measured runs: ${audited} for ${issued} tokens issued (${audited === issued ? 'every token audited' : 'MISMATCH'})`,
      `target: >= 2000 tokens/s and >= 0.40 of baseline → ${i.rps >= 2000 && i.rps / b.rps >= 0.4 ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
} finally {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await database.stop();
}
