/**
 * A service declared in the configuration (`services.inventory`), end to end over real HTTP:
 * the gateway routes to a small node:http upstream with `aud` = its name and enforces its
 * scopes; its scopes are grantable to a client and reach users through their roles (an
 * unknown scope is refused); its two flags exist and `emit` changes what the gateway sends;
 * the rollout records, rolls back and monitors it; a report through the SDK reporter lands in
 * the durable legacy signal and in `rollout status`; a day without a report is "no data"; a
 * policy's phase deploys it and its exit gate waits for it, and a policy naming an undeclared
 * service is refused.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLegacyUseReporter } from '../../packages/verify/src/index.ts';
import { deploymentFlags } from '../../src/flags/catalogue.ts';
import { readFlagSnapshot, setFlags } from '../../src/flags/store.ts';
import { advancePhase } from '../../src/rollout/operations/advance-phase.ts';
import { monitorReadings, phaseExitGate, strictGate } from '../../src/rollout/operations/evaluate-gates.ts';
import { importEvidence } from '../../src/rollout/operations/import-evidence.ts';
import { setFreeze } from '../../src/rollout/operations/set-freeze.ts';
import { recordDeployment } from '../../src/rollout/operations/record-deployment.ts';
import { rolloutStatus } from '../../src/rollout/operations/rollout-status.ts';
import { runRollback } from '../../src/rollout/playbook/run-rollback.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import { loadPolicy, PolicyError } from '../../src/rollout/policy/load.ts';
import type { RolloutEnv } from '../../src/rollout/rollout-env.ts';
import { formatStatus } from '../../src/rollout/text/format-status.ts';
import { systemClock, utcDay } from '../../src/telemetry/clock.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { signals } from '../../src/telemetry/signals.ts';
import { addUtcDays } from '../../src/rollout/gates/utc-days.ts';
import { runCli } from '../support/cli.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

async function startUpstream(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function claimsOf(jws: string): Record<string, any> {
  return JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'));
}

describe('a service declared in services.<name>', () => {
  let ts: TestStack;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let gateway: string;
  let adminToken: string;
  const secrets: Record<string, string> = {};

  async function token(clientId: string, params: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`${gateway}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secrets[clientId] ?? ts.credentials.clients[clientId]?.secret, ...params }),
    });
    return { status: res.status, body: await res.json() };
  }

  async function call(method: string, path: string, bearer: string | null, body?: unknown) {
    const res = await fetch(`${gateway}${path}`, {
      method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  }

  async function createClient(body: Record<string, unknown>) {
    const r = await call('POST', '/admin/clients', adminToken, body);
    if (r.status === 201 && r.body.clientSecret) secrets[r.body.client.clientId] = r.body.clientSecret;
    return r;
  }

  before(async () => {
    upstream = await startUpstream();
    ts = await startTestStack({
      overrides: {
        services: {
          inventory: {
            url: upstream.url,
            routes: [{ prefix: '/api/v1/inventory/', methodScopes: { GET: ['inventory:read'], HEAD: ['inventory:read'] }, scopes: ['inventory:write'] }],
            legacyHeaders: { accept: true, emit: false },
          },
        },
      },
    });
    gateway = ts.url('gateway');
    const t = await token('tenantgate-admin');
    assert.equal(t.status, 200, JSON.stringify(t.body));
    adminToken = t.body.access_token;
  });
  after(async () => {
    await ts?.stop();
    upstream?.server.close();
  });

  it('its scopes are grantable to a client through the admin API; an unknown scope is refused', async () => {
    const unknown = await createClient({ clientId: 'inventory-typo', grantTypes: ['client_credentials'], scopes: ['inventory:read', 'inventory:delete'], tenant: 'tenant-alpha' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.code, 'validation_failed');
    assert.match(unknown.body.detail, /unknown scope\(s\): inventory:delete/);
    const app = await createClient({ clientId: 'inventory-app', grantTypes: ['client_credentials'], scopes: ['inventory:read', 'inventory:write', 'legacy:report'], tenant: 'tenant-alpha', role: 'member' });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    const t = await token('inventory-app');
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.deepEqual(t.body.scope.split(' ').sort(), ['inventory:read', 'inventory:write', 'legacy:report']);
    const discovery = await (await fetch(`${gateway}/.well-known/openid-configuration`)).json();
    assert.ok(discovery.scopes_supported.includes('inventory:write'));
  });

  it('the gateway routes to it with aud = its name and enforces its scopes', async () => {
    const full = (await token('inventory-app')).body.access_token;
    const readOnly = (await token('inventory-app', { scope: 'inventory:read' })).body.access_token;
    const got = await call('GET', '/api/v1/inventory/things?x=1', readOnly);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    const last = upstream.seen.at(-1)!;
    const claims = claimsOf(last.headers['x-stellaops-identity'] as string);
    assert.equal(claims.aud, 'inventory');
    assert.equal(claims.htu, '/api/v1/inventory/things?x=1');
    assert.equal(claims['stellaops:tenant'], 'tenant-alpha');
    assert.equal(last.headers['x-stellaops-tenant'], 'tenant-alpha');
    const refused = await call('POST', '/api/v1/inventory/things', readOnly, { name: 'x' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'insufficient_scope');
    const before = upstream.seen.length;
    assert.equal((await call('POST', '/api/v1/inventory/things', full, { name: 'x' })).status, 200);
    assert.equal(upstream.seen.length, before + 1);
    assert.equal((await call('GET', '/api/v1/inventory/things', null)).status, 401);
  });

  it('its scopes reach users through their roles: read scopes from viewer up, the others from member up', async () => {
    const ui = await createClient({ clientId: 'inventory-ui', grantTypes: ['password'], scopes: ['inventory:read', 'inventory:write'] });
    assert.equal(ui.status, 201, JSON.stringify(ui.body));
    const password = (username: string, tenant: string) =>
      token('inventory-ui', { grant_type: 'password', username, password: ts.credentials.users[username].password, tenant });
    // alice: admin in tenant-alpha, viewer in tenant-bravo; bob: member in tenant-bravo.
    const adminAlpha = await password('alice', 'tenant-alpha');
    assert.equal(adminAlpha.status, 200, JSON.stringify(adminAlpha.body));
    assert.deepEqual(adminAlpha.body.scope.split(' ').sort(), ['inventory:read', 'inventory:write']);
    assert.equal((await password('alice', 'tenant-bravo')).body.scope, 'inventory:read');
    assert.deepEqual((await password('bob', 'tenant-bravo')).body.scope.split(' ').sort(), ['inventory:read', 'inventory:write']);
  });

  it('its two flags exist with the configured initial values; emit changes what the gateway sends', async () => {
    const catalogue = deploymentFlags(ts.config);
    const snapshot = await readFlagSnapshot(ts.t.db, catalogue);
    assert.equal(snapshot.values['inventory.acceptLegacyHeaders'], true);
    assert.equal(snapshot.values['inventory.emitLegacyHeaders'], false);
    const bearer = (await token('inventory-app', { scope: 'inventory:read' })).body.access_token;
    await call('GET', '/api/v1/inventory/a', bearer);
    assert.equal(upstream.seen.at(-1)!.headers['x-tenant-id'], undefined, 'emit off: no legacy alias downstream');
    await assert.rejects(() => setFlags(ts.t.db, [{ name: 'billing.emitLegacyHeaders', value: true }], { actor: 'test', reason: 'undeclared' }, catalogue), /unknown flag billing\.emitLegacyHeaders/);
    await setFlags(ts.t.db, [{ name: 'inventory.emitLegacyHeaders', value: true }], { actor: 'test', reason: 'inventory still reads X-Tenant-Id' }, catalogue);
    const deadline = Date.now() + 5_000;
    for (;;) {
      await call('GET', '/api/v1/inventory/b', bearer);
      const h = upstream.seen.at(-1)!.headers;
      if (h['x-tenant-id'] === 'tenant-alpha') {
        assert.equal(h['x-stella-tenant'], 'tenant-alpha');
        break;
      }
      assert.ok(Date.now() < deadline, 'the gateway writes the legacy aliases within a few seconds of the flag change');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('rollout deploy record, rollback and monitors accept it', async () => {
    const env: RolloutEnv = {
      db: ts.t.db,
      policy: { ...defaultPolicy, revertHook: { command: [process.execPath, '-e', 'process.exit(0)'], timeoutMs: 10_000 } },
      clock: systemClock,
      config: ts.config,
    };
    await assert.rejects(() => recordDeployment({ ...env, config: undefined }, { component: 'inventory', buildId: 'inv-1', actor: 'test' }), /unknown component "inventory"/);
    await recordDeployment(env, { component: 'inventory', buildId: 'inv-1', lastKnownGood: true, actor: 'test' });
    const viaApi = await call('POST', '/admin/rollout/deployments', (await token('tenantgate-admin', { scope: 'rollout:write' })).body.access_token, { component: 'inventory', buildId: 'inv-2' });
    assert.equal(viaApi.status, 201, JSON.stringify(viaApi.body));
    await setFlags(ts.t.db, [{ name: 'inventory.emitLegacyHeaders', value: false }], { actor: 'test', reason: 'migrated' }, deploymentFlags(ts.config));
    const rollback = await runRollback(env, { component: 'inventory', reason: 'tenant mismatches after inv-2', actor: 'test' });
    const flags = rollback.steps.find((s) => s.step === 'flags')!;
    assert.match(flags.detail, /inventory\.emitLegacyHeaders false → true/);
    assert.equal(rollback.steps.find((s) => s.step === 'revert')!.outcome, 'done');
    const snapshot = await readFlagSnapshot(ts.t.db, deploymentFlags(ts.config));
    assert.equal(snapshot.values['inventory.emitLegacyHeaders'], true);

    const policyFile = join(ts.t.stateDir, 'inventory-policy.json');
    const monitor = { id: 'inventory-legacy', description: 'inventory legacy use today above 1000', signals: [signals.serviceLegacyHeader], details: ['{module}'], modules: ['inventory'], windowDays: 1, threshold: 1000 };
    writeFileSync(policyFile, JSON.stringify({ ...defaultPolicy, monitors: [...defaultPolicy.monitors, monitor] }));
    const policy = loadPolicy({ ...ts.config, rollout: { ...ts.config.rollout, policyFile } });
    const readings = await monitorReadings(ts.t.db, policy, new Date());
    assert.ok(readings.some((r) => r.monitor === 'inventory-legacy' && r.module === 'inventory' && !r.tripped));
    assert.throws(() => loadPolicy({ ...ts.config, services: {}, rollout: { ...ts.config.rollout, policyFile } }), /monitors\.\d+\.modules\.0: unknown component inventory/);
  });

  it('a report through the SDK reporter lands in the durable legacy signal and in rollout status', async () => {
    const bound = await createClient({ clientId: 'inventory', grantTypes: ['client_credentials'], scopes: ['legacy:report'], tenant: 'tenant-alpha' });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    const errors: Error[] = [];
    const reporter = createLegacyUseReporter({ gatewayUrl: gateway, service: 'inventory', clientId: 'inventory', clientSecret: secrets.inventory, onError: (e) => errors.push(e) });
    assert.deepEqual(reporter.tenantFrom({ 'x-stellaops-tenant': 'tenant-alpha' }), { tenant: 'tenant-alpha', alias: null });
    assert.deepEqual(reporter.tenantFrom({ 'x-tenant-id': 'tenant-alpha' }), { tenant: 'tenant-alpha', alias: 'X-Tenant-Id' });
    reporter.count({ alias: 'X-Stella-Tenant', tenant: 'tenant-bravo', client: 'old-cli' }, 2);
    await reporter.flush();
    assert.deepEqual(errors, []);
    const today = utcDay(new Date());
    const rows = (await readDailyCounters(ts.t.db, today, today, [signals.serviceLegacyHeader])).filter((r) => r.detail === 'inventory');
    assert.deepEqual(
      rows.map((r) => [r.alias, r.tenant, r.client, r.count]).sort(),
      [['X-Stella-Tenant', 'tenant-bravo', 'old-cli', 2], ['X-Tenant-Id', 'tenant-alpha', '', 1]],
    );
    const status = await rolloutStatus(ts.t.db, defaultPolicy, new Date(), deploymentFlags(ts.config));
    const inventory = status.serviceLegacyUse.find((u) => u.service === 'inventory')!;
    assert.equal(inventory.kind, 'external');
    assert.equal(inventory.today, 3);
    assert.equal(inventory.daysReported, 1);
    assert.match(formatStatus(status), /inventory\s+external\s+3 uses \(today 3\)\s+reported 1\/1 declared days/);
    assert.equal(status.flags.values['inventory.acceptLegacyHeaders'], true);

    // Only the client bound to the service may report for it, with the report scope, by its own token.
    const other = (await token('inventory-app')).body.access_token;
    const mismatch = await call('POST', '/gateway/v1/legacy-use', other, { service: 'inventory', batchId: crypto.randomUUID(), days: [{ day: today, uses: [] }] });
    assert.equal(mismatch.status, 403);
    assert.equal(mismatch.body.code, 'legacy_report_client_mismatch');
    const own = (await token('inventory')).body.access_token;
    const undeclared = await call('POST', '/gateway/v1/legacy-use', own, { service: 'billing', batchId: crypto.randomUUID(), days: [{ day: today, uses: [] }] });
    assert.equal(undeclared.body.code, 'legacy_report_service_unknown');
    assert.equal((await call('POST', '/gateway/v1/legacy-use', null, { service: 'inventory', batchId: crypto.randomUUID(), days: [{ day: today, uses: [] }] })).status, 401);
    const noScope = (await token('inventory-app', { scope: 'inventory:read' })).body.access_token;
    assert.equal((await call('POST', '/gateway/v1/legacy-use', noScope, { service: 'inventory', batchId: crypto.randomUUID(), days: [{ day: today, uses: [] }] })).body.code, 'insufficient_scope');
    // A retried batch counts once.
    const batch = { service: 'inventory', batchId: crypto.randomUUID(), days: [{ day: today, uses: [{ alias: 'X-Tenant-Id', tenant: 'tenant-alpha', count: 5 }] }] };
    assert.equal((await call('POST', '/gateway/v1/legacy-use', own, batch)).body.duplicate, false);
    assert.equal((await call('POST', '/gateway/v1/legacy-use', own, batch)).body.duplicate, true);
    const after = (await readDailyCounters(ts.t.db, today, today, [signals.serviceLegacyHeader])).filter((r) => r.detail === 'inventory' && r.alias === 'X-Tenant-Id' && r.client === '');
    assert.equal(after[0].count, 6);
  });

  it('the CLI: flags list, rollout deploy record and rollout status know it', async () => {
    const file = join(ts.t.stateDir, 'cli-config.json');
    writeFileSync(file, JSON.stringify(ts.config));
    const root = join(import.meta.dirname, '..', '..');
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', file, ...args], { cwd: root });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
    const flags = await cli('flags', 'list');
    assert.equal(flags.code, 0, flags.stderr);
    assert.match(flags.stdout, /inventory\.acceptLegacyHeaders\s+true/);
    const deploy = await cli('rollout', 'deploy', 'record', 'inventory', 'inv-3', '--actor', 'test');
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /recorded: inventory inv-3/);
    const status = await cli('rollout', 'status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /legacy use per service/);
    assert.match(status.stdout, /inventory\s+external\s+\d+ uses/);
  });

  it('a day a declared service did not report is "no data" for the strict gate, never zero', async () => {
    const today = utcDay(new Date());
    const [d1, d2] = [addUtcDays(today, -1), addUtcDays(today, -2)];
    // Gateways ran on both days declaring inventory; inventory reported (zero uses) on d2 only.
    for (const day of [d1, d2]) {
      await ts.t.db.query(`insert into telemetry.heartbeats (utc_day, instance_id, component, first_seen, last_seen, services) values ($1, 'gw-test', 'gateway', now(), now(), '{inventory}')`, [day]);
      // Traffic those days (tenant decisions), so only the missing report can make a day "no data".
      await ts.t.db.query(`insert into telemetry.daily_counters (utc_day, signal, detail, count) values ($1, 'gateway.decision', 'match', 5) on conflict do nothing`, [day]);
    }
    await ts.t.db.query(`insert into telemetry.service_reports (utc_day, service, first_report, last_report) values ($1, 'inventory', now(), now())`, [d2]);
    const gate = await strictGate(ts.t.db, defaultPolicy, new Date(), { ignoreEarliest: true });
    const day1 = gate.days.find((d) => d.day === d1)!;
    const day2 = gate.days.find((d) => d.day === d2)!;
    assert.equal(day2.status, 'clean');
    assert.equal(day1.status, 'no data');
    assert.deepEqual(day1.missingReports, ['inventory']);
    assert.match(day1.seen, /no legacy-use report from service inventory/);
    const status = await rolloutStatus(ts.t.db, defaultPolicy, new Date());
    assert.deepEqual(status.serviceLegacyUse.find((u) => u.service === 'inventory')!.daysWithoutReport, [d1]);
  });
  it('a phase deploys it: its deploy order and exit gate name it, rollout status shows it, and an undeclared name is refused', async () => {
    const policyFile = join(ts.t.stateDir, 'inventory-phase-policy.json');
    const [phase0, ...rest] = defaultPolicy.phases;
    const phase = {
      ...phase0,
      deployOrder: [{ component: 'platform', description: 'Platform' }, { component: 'inventory', ref: 'inv-7', description: 'Inventory after Platform' }],
      exitCriteria: [
        { id: 'inventory-after-platform', description: 'Platform, then Inventory deployed', check: { kind: 'deployed', components: ['platform', 'inventory'] } },
        { id: 'inventory-staging', description: 'staging evidence after the Inventory deploy', check: { kind: 'evidence', evidenceKinds: ['staging'], afterDeployOf: ['inventory'] } },
      ],
    };
    const monitor = { id: 'inventory-conflicts', description: 'inventory tenant conflicts', signals: [signals.moduleRejection], details: ['{module}:tenant_conflict'], modules: ['platform', 'inventory'], threshold: 25 };
    writeFileSync(policyFile, JSON.stringify({ ...defaultPolicy, phases: [phase, ...rest], monitors: [...defaultPolicy.monitors, monitor] }));
    const config = { ...ts.config, rollout: { ...ts.config.rollout, policyFile } };
    const policy = loadPolicy(config);
    assert.equal(policy.phases[0].deployOrder[1].component, 'inventory');
    const env: RolloutEnv = { db: ts.t.db, policy, clock: systemClock, config };

    const start = Date.now();
    await recordDeployment(env, { component: 'platform', buildId: 'plat-7', actor: 'test', deployedAt: new Date(start - 2000) });
    await recordDeployment(env, { component: 'inventory', buildId: 'inv-7', actor: 'test', deployedAt: new Date(start - 1000) });
    const before = await phaseExitGate(ts.t.db, policy, new Date());
    const check = (gate: typeof before, id: string) => gate.checks.find((c) => c.id === id)!;
    assert.equal(check(before, 'inventory-after-platform').pass, true);
    assert.equal(check(before, 'inventory-after-platform').detail, 'platform plat-7 → inventory inv-7');
    assert.equal(check(before, 'inventory-staging').pass, false);
    assert.match(check(before, 'inventory-staging').detail, /staging: no evidence|predates the deploy/);
    assert.ok((await monitorReadings(ts.t.db, policy, new Date())).some((r) => r.monitor === 'inventory-conflicts' && r.module === 'inventory'));

    // Deployed out of order: Inventory before Platform fails the criterion, naming both.
    await recordDeployment(env, { component: 'platform', buildId: 'plat-8', actor: 'test', deployedAt: new Date(start) });
    const outOfOrder = check(await phaseExitGate(ts.t.db, policy, new Date()), 'inventory-after-platform');
    assert.equal(outOfOrder.pass, false);
    assert.match(outOfOrder.detail, /^inventory \(.+\) was deployed before platform/);
    await recordDeployment(env, { component: 'inventory', buildId: 'inv-8', actor: 'test' });

    await importEvidence(env, { kind: 'staging', name: 'staging.xml', content: '<testsuite><testcase name="inventory spoof"/><testcase name="inventory mismatch"/></testsuite>', actor: 'test' });
    // The rollback of the first test froze the rollout; lifting it leaves Inventory's criteria to decide.
    await setFreeze(env, { frozen: false, reason: 'inventory rollback done', actor: 'test' });
    const passed = await phaseExitGate(ts.t.db, policy, new Date());
    assert.equal(passed.pass, true, JSON.stringify(passed.checks));
    const text = formatStatus(await rolloutStatus(ts.t.db, policy, new Date(), deploymentFlags(config)));
    assert.match(text, /PASS\s+inventory-after-platform\s+platform plat-8 → inventory inv-8/);
    assert.match(text, /deployments \(current\)[\s\S]*\binventory\s+inv-8\b/);
    const advanced = await advancePhase(env, { reason: 'inventory deployed and verified', actor: 'test' });
    assert.equal(advanced.to, 1);

    // Without services.inventory the same policy names an unknown component: refused at load, each path named.
    const undeclared = () => loadPolicy({ ...config, services: {} });
    assert.throws(undeclared, (err: unknown) => err instanceof PolicyError && err.code === 'policy_component_unknown');
    assert.throws(undeclared, /phases\.0\.deployOrder\.1\.component: unknown component inventory/);
    assert.throws(undeclared, /phases\.0\.exitCriteria\.0\.check\.components\.1: unknown component inventory/);
    assert.throws(undeclared, /phases\.0\.exitCriteria\.1\.check\.afterDeployOf\.0: unknown component inventory/);
    assert.throws(undeclared, /monitors\.\d+\.modules\.1: unknown component inventory/);
    // `policy validate` checks the names against the configuration it runs with.
    const withInventory = join(ts.t.stateDir, 'validate-with.json');
    const withoutInventory = join(ts.t.stateDir, 'validate-without.json');
    writeFileSync(withInventory, JSON.stringify({ services: ts.config.services }));
    writeFileSync(withoutInventory, JSON.stringify({}));
    const ok = await runCli(['--config', withInventory, 'rollout', 'policy', 'validate', policyFile]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /valid — 5 phases/);
    const refused = await runCli(['--config', withoutInventory, 'rollout', 'policy', 'validate', policyFile]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /invalid rollout policy \(policy_component_unknown\):\n {2}phases\.0\.deployOrder\.1\.component: unknown component inventory \(known: authority, gateway, platform, scanner, graph, web; declare a service in services\.<name>\)/);
  });
});
