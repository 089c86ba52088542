/**
 * OpenTelemetry traces end to end: the Authority, the Platform and the gateway run as their
 * own `tenantgate` processes exporting to an OTLP/HTTP receiver in this test. A request with
 * a token through the gateway must arrive as one trace, gateway server span → gateway client
 * span → Platform server span → SQL spans; a client's `traceparent` is continued; no token,
 * secret or password appears in anything exported; and without the OTEL variables no SDK
 * is loaded at all.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Config } from '../../src/config/schema.ts';
import { readDemoCredentials, type DemoCredentials } from '../../src/demo/credentials.ts';
import { credentialsPath } from '../../src/stack.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { TEST_RUNTIME_PASSWORD } from '../support/env.ts';
import { freeBasePort } from '../support/ports.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.ts';

const root = join(import.meta.dirname, '..', '..');
const SERVER = 2;
const CLIENT = 3;
const PG_SCOPE = '@opentelemetry/instrumentation-pg';

/** The environment of this process without any OpenTelemetry variable. */
function envWithoutOtel(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
}

async function startComponent(name: string, t: TestDatabase, basePort: number, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<Running> {
  const sets: Record<string, string> = {
    'database.url': t.adminUrl,
    'database.runtimeUrl': t.runtimeUrl,
    'database.dataDir': join(t.stateDir, 'pg'),
    'secrets.keyEncryptionKey': t.keyEncryptionKey,
    'server.basePort': String(basePort),
    'server.logLevel': 'silent',
  };
  const args = ['--import', 'tsx', 'src/cli/main.ts', name, ...extra, ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes(`${name} listening on `)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${err}`));
    });
  });
  return { child, stderr: () => err };
}

/** SIGTERM, as an orchestrator stops a component; resolves with the exit code. */
async function stop(running: Running | undefined): Promise<number | null> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return running?.child.exitCode ?? null;
  const exited = new Promise<number | null>((r) => running.child.once('exit', (code) => r(code)));
  running.child.kill('SIGTERM');
  return exited;
}

function probe(env: NodeJS.ProcessEnv, component = 'gateway'): Promise<{ started: boolean; globalTracerProvider: boolean; pgInstrumented: boolean; httpInstrumented: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/telemetry/support/tracing-probe.ts', component], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`probe exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

describe('tracing across gateway, service and SQL', () => {
  let t: TestDatabase;
  let config: Config;
  let receiver: OtlpReceiver;
  let credentials: DemoCredentials;
  let base = '';
  const running: Running[] = [];
  const exitCodes: (number | null)[] = [];

  let token = '';
  const clientTrace = { traceId: hex(16), spanId: hex(8) };
  const answers: Record<string, number> = {};

  before(async () => {
    receiver = await startOtlpReceiver();
    t = await createTestDatabase();
    const basePort = await freeBasePort();
    config = t.config({ 'server.basePort': basePort });
    base = `http://127.0.0.1:${basePort}`;
    const tracingEnv = (protocol: string | null): NodeJS.ProcessEnv => ({
      ...envWithoutOtel(),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      ...(protocol ? { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol } : {}),
      // Nothing is exported on a timer during the test: what arrives was flushed at shutdown.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    // The Authority exports over the default protocol (protobuf), the others as JSON.
    running.push(await startComponent('authority', t, basePort, tracingEnv(null), ['--seed']));
    credentials = readDemoCredentials(credentialsPath(config, t.stateDir))!;
    assert.ok(credentials, 'the seeded Authority wrote the demo credentials');
    running.push(...(await Promise.all([startComponent('platform', t, basePort, tracingEnv('http/json')), startComponent('gateway', t, basePort, tracingEnv('http/json'))])));

    // Client authentication in the Authorization header, through the gateway.
    const basic = Buffer.from(`scanner-bot:${credentials.clients['scanner-bot'].secret}`).toString('base64');
    const tokenAnswer = await fetch(`${base}/connect/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', tenant: 'tenant-alpha' }),
    });
    const body = await tokenAnswer.json();
    assert.equal(tokenAnswer.status, 200, JSON.stringify(body));
    token = body.access_token;

    const call = async (key: string, path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
      await res.arrayBuffer();
      answers[key] = res.status;
    };
    await call('list', '/api/v1/platform/topology/environments');
    await call('continued', '/api/v1/platform/topology/environments/env-not-there', { traceparent: `00-${clientTrace.traceId}-${clientTrace.spanId}-01` });
    await call('query', `/api/v1/platform/topology/environments?access_token=${token}&client_secret=${credentials.clients['scanner-bot'].secret}`);

    // Stopping flushes: the batch delay is far longer than the test.
    for (const r of [...running].reverse()) exitCodes.push(await stop(r));
  });

  after(async () => {
    for (const r of running) await stop(r);
    await receiver?.close();
    await t?.drop();
  });

  const spans = () => receiver.spans();
  const serverSpan = (service: string, pred: (s: ReceivedSpan) => boolean) => spans().find((s) => s.service === service && s.kind === SERVER && pred(s));

  it('exports the spans at shutdown, the components exiting cleanly', () => {
    assert.deepEqual(exitCodes, [0, 0, 0], running.map((r) => r.stderr()).join('\n'));
    assert.equal(answers.list, 200);
    assert.equal(answers.continued, 404);
    const services = new Set(spans().map((s) => s.service));
    assert.ok(services.has('tenantgate-gateway') && services.has('tenantgate-platform'), [...services].join(', '));
    assert.ok(receiver.requests.some((r) => r.contentType === 'application/x-protobuf'), 'the Authority exported over http/protobuf');
    for (const s of spans().filter((s) => s.service === 'tenantgate-gateway')) assert.equal(s.component, 'gateway');
  });

  it('gateway server span → gateway client span → service server span → SQL spans, in one trace', () => {
    const gatewayServer = serverSpan('tenantgate-gateway', (s) => s.name === 'GET /api/v1/platform/*' && s.traceId !== clientTrace.traceId && s.attributes['http.response.status_code'] === 200);
    assert.ok(gatewayServer, `a gateway server span named after its route: ${spans().map((s) => `${s.service} ${s.name}`).join(', ')}`);
    assert.equal(gatewayServer.parentSpanId, '', 'a request without traceparent starts a trace');
    assert.equal(gatewayServer.attributes['tenantgate.upstream'], 'platform');
    const trace = spans().filter((s) => s.traceId === gatewayServer.traceId);

    const client = trace.find((s) => s.kind === CLIENT && s.parentSpanId === gatewayServer.spanId && s.service === 'tenantgate-gateway');
    assert.ok(client, 'the upstream call is a client span under the gateway server span');
    assert.equal(client.name, 'GET');
    assert.equal(client.attributes['http.request.method'], 'GET');
    assert.equal(client.attributes['http.response.status_code'], 200);
    assert.match(String(client.attributes['url.full']), /^http:\/\/[^/]+\/api\/v1\/platform\/topology\/environments$/);
    assert.equal(client.attributes['error.type'], undefined);

    const platformServer = trace.find((s) => s.service === 'tenantgate-platform' && s.kind === SERVER);
    assert.ok(platformServer, 'the Platform continued the trace the gateway propagated');
    assert.equal(platformServer.parentSpanId, client.spanId, "the Platform's server span is a child of the gateway's client span");
    assert.equal(platformServer.name, 'GET /api/v1/platform/topology/environments');
    assert.equal(platformServer.attributes['http.route'], '/api/v1/platform/topology/environments');

    const sql = trace.filter((s) => s.scope === PG_SCOPE && s.service === 'tenantgate-platform');
    assert.ok(sql.length > 0, 'SQL spans in the same trace');
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    for (const s of sql) {
      let up = byId.get(s.parentSpanId);
      while (up && up !== platformServer) up = byId.get(up.parentSpanId);
      assert.equal(up, platformServer, `SQL span ${s.name} descends from the Platform's server span`);
    }
    const statements = sql.map((s) => s.attributes['db.statement'] ?? s.attributes['db.query.text']).filter(Boolean);
    assert.ok(statements.some((q) => /environments/.test(String(q))), `the statement text is recorded: ${statements.join(' | ')}`);
  });

  it("continues a client's traceparent, and names spans after route templates, not URLs", () => {
    const gatewayServer = serverSpan('tenantgate-gateway', (s) => s.traceId === clientTrace.traceId);
    assert.ok(gatewayServer, 'the gateway joined the trace the client started');
    assert.equal(gatewayServer.parentSpanId, clientTrace.spanId);
    const platformServer = serverSpan('tenantgate-platform', (s) => s.traceId === clientTrace.traceId);
    assert.ok(platformServer, 'the Platform got the same trace');
    assert.equal(platformServer.name, 'GET /api/v1/platform/topology/environments/:id');
    const client = spans().find((s) => s.spanId === platformServer.parentSpanId);
    assert.equal(client?.kind, CLIENT);
    assert.equal(client?.attributes['http.response.status_code'], 404, 'the upstream answered 404');
    assert.equal(client?.attributes['error.type'], '404', 'a 4xx answer is a failed client call');
    assert.equal(client?.parentSpanId, gatewayServer.spanId, "the Platform's parent is the gateway's client span, not the client's span");
    assert.ok(spans().some((s) => s.traceId === clientTrace.traceId && s.scope === PG_SCOPE), 'SQL spans in the continued trace');
    for (const s of spans()) assert.doesNotMatch(s.name, /env-not-there/);
  });

  it('exports no token, client secret or password, in any protocol', () => {
    const secret = credentials.clients['scanner-bot'].secret;
    const basic = Buffer.from(`scanner-bot:${secret}`).toString('base64');
    const signature = token.split('.')[2];
    assert.ok(receiver.requests.length > 0);
    for (const r of receiver.requests) {
      const text = r.body.toString('latin1');
      for (const [what, value] of Object.entries({ token, signature, secret, basic, password: TEST_RUNTIME_PASSWORD, keyEncryptionKey: t.keyEncryptionKey })) {
        assert.ok(!text.includes(value), `the ${what} appears in an export (${r.contentType})`);
      }
    }
    for (const s of spans()) {
      for (const key of Object.keys(s.attributes)) assert.doesNotMatch(key, /authorization|cookie|header/i, `${s.name} records ${key}`);
      for (const key of ['url.full', 'http.url', 'http.target', 'url.query']) {
        const value = s.attributes[key];
        if (typeof value === 'string') assert.ok(!value.includes('?'), `${s.service} ${s.name} keeps a query string in ${key}: ${value}`);
      }
    }
    const tokenCall = spans().find((s) => s.service === 'tenantgate-gateway' && s.kind === SERVER && s.name === 'POST /connect/*');
    assert.ok(tokenCall, 'the token request was traced');
  });
});

describe('tracing off by default', () => {
  it('without OTEL variables no SDK is loaded and nothing is instrumented', async () => {
    assert.deepEqual(await probe(envWithoutOtel()), { started: false, globalTracerProvider: false, pgInstrumented: false, httpInstrumented: false });
  });

  it('OTEL_SDK_DISABLED=true wins over a configured endpoint; OTEL_TRACES_EXPORTER=none too', async () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' };
    assert.equal((await probe({ ...envWithoutOtel(), ...endpoint, OTEL_SDK_DISABLED: 'true' })).started, false);
    assert.equal((await probe({ ...envWithoutOtel(), ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).started, false);
  });

  it('an endpoint turns it on, hooking pg and node:http before they load', async () => {
    assert.deepEqual(await probe({ ...envWithoutOtel(), OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' }), {
      started: true,
      globalTracerProvider: true,
      pgInstrumented: true,
      httpInstrumented: true,
    });
  });
});
