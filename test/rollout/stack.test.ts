import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { componentStarters } from '../../src/components.ts';
import { readFlagSnapshot } from '../../src/flags/store.ts';
import type { RunningComponent } from '../../src/host/app.ts';
import { createComponentContext } from '../../src/host/context.ts';
import { matrixRerun } from '../../src/rollout/playbook/matrix-rerun.ts';
import { recordDeployment } from '../../src/rollout/operations/record-deployment.ts';
import { runRollback } from '../../src/rollout/playbook/run-rollback.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import type { RolloutEnv } from '../../src/rollout/rollout-env.ts';
import { readDeployments, readEvidence, readRolloutState } from '../../src/rollout/state/read-state.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { systemClock, utcDay } from '../../src/telemetry/clock.ts';
import { signals } from '../../src/telemetry/signals.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { freeBasePort } from '../support/ports.ts';

async function token(gateway: string, clientId: string, secret: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${gateway}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, ...extra }),
  });
  const body = (await res.json()) as any;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.access_token;
}

async function api(ts: TestStack, method: string, path: string, tok: string | null, body?: unknown) {
  const res = await fetch(`${ts.url('gateway')}${path}`, {
    method,
    headers: { ...(tok ? { authorization: `Bearer ${tok}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

describe('rollout controller against a running stack', () => {
  let ts: TestStack;
  let admin: string;
  before(async () => {
    ts = await startTestStack({ overrides: { 'rollout.telemetryPerMinute': 3 } });
    admin = await token(ts.url('gateway'), 'tenantgate-admin', ts.credentials.clients['tenantgate-admin'].secret, { scope: 'rollout:read rollout:write' });
  });
  after(async () => ts?.stop());

  it('HTTP API: scopes enforced; status shows instances with flag versions; writes are audited operations', async () => {
    assert.equal((await api(ts, 'GET', '/admin/rollout/status', null)).status, 401);
    const bot = await token(ts.url('gateway'), 'scanner-bot', ts.credentials.clients['scanner-bot'].secret, { tenant: 'tenant-alpha' });
    assert.equal((await api(ts, 'GET', '/admin/rollout/status', bot)).status, 403);
    const readOnly = await token(ts.url('gateway'), 'tenantgate-admin', ts.credentials.clients['tenantgate-admin'].secret, { scope: 'rollout:read' });
    assert.equal((await api(ts, 'POST', '/admin/rollout/freeze', readOnly, { reason: 'x' })).status, 403);

    const status = await api(ts, 'GET', '/admin/rollout/status', admin);
    assert.equal(status.status, 200);
    assert.equal(status.body.state.phase, 0);
    const components = new Set(status.body.instances.map((i: any) => i.component));
    for (const c of ['authority', 'gateway', 'platform', 'scanner', 'graph']) assert.ok(components.has(c), `instance of ${c} reported`);
    assert.ok(status.body.instances.every((i: any) => typeof i.flagVersion === 'number'));

    const refused = await api(ts, 'POST', '/admin/rollout/advance', admin, { reason: 'try' });
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.body.checks.filter((c: any) => !c.pass).map((c: any) => c.id), ['contract-accepted', 'trackers-ready']);
    const ownerless = await api(ts, 'POST', '/admin/rollout/signoffs', admin, { criterion: 'contract-accepted', signedBy: 'Pat PM' });
    assert.equal(ownerless.status, 400, JSON.stringify(ownerless.body));
    for (const owner of ['Authority', 'Router', 'Platform', 'Scanner', 'Graph', 'Web']) {
      assert.equal((await api(ts, 'POST', '/admin/rollout/signoffs', admin, { criterion: 'contract-accepted', signedBy: `${owner} owner`, owner })).status, 201);
    }
    const signed = (await api(ts, 'GET', '/admin/rollout/status', admin)).body.signoffs.find((p: any) => p.criterion === 'contract-accepted');
    assert.deepEqual([signed.complete, signed.missing], [true, []]);
    assert.equal((await api(ts, 'POST', '/admin/rollout/signoffs', admin, { criterion: 'trackers-ready', signedBy: 'Quinn QA' })).status, 201);
    const advanced = await api(ts, 'POST', '/admin/rollout/advance', admin, { reason: 'phase 0 exit criteria met' });
    assert.equal(advanced.status, 200, JSON.stringify(advanced.body));
    assert.equal(advanced.body.to, 1);

    const strict = await api(ts, 'GET', '/admin/rollout/gates/strict?days=30', admin);
    assert.equal(strict.status, 200);
    assert.equal(strict.body.history.length, 31);
    assert.equal(strict.body.gate.pass, false);
    const today = strict.body.history.at(-1);
    assert.equal(today.complete, false);
    assert.ok(today.heartbeats >= 1);

    const flag = await api(ts, 'POST', '/admin/rollout/flags', admin, { name: 'scanner.acceptLegacyHeaders', value: false, reason: 'console test' });
    assert.equal(flag.status, 200);
    assert.equal(flag.body.changed, true);
    const bad = await api(ts, 'POST', '/admin/rollout/strict', admin, { mode: 'sometimes', reason: 'x' });
    assert.equal(bad.status, 400);
    const checklist = await api(ts, 'GET', '/admin/rollout/checklist', admin);
    assert.equal(checklist.body.report.items.length, 6);
    assert.match(checklist.body.markdown, /Production readiness checklist/);
  });

  it('POST /console/telemetry: any valid token, schema-validated, counted under the token\'s client and tenant', async () => {
    const bot = await token(ts.url('gateway'), 'scanner-bot', ts.credentials.clients['scanner-bot'].secret, { tenant: 'tenant-bravo' });
    assert.equal((await api(ts, 'POST', '/console/telemetry', null, { events: [{ kind: 'legacy_header', alias: 'X-Tenant-Id' }] })).status, 401);
    assert.equal((await api(ts, 'POST', '/console/telemetry', bot, { events: [{ kind: 'legacy_header' }] })).status, 400);
    assert.equal((await api(ts, 'POST', '/console/telemetry', bot, { events: [{ kind: 'legacy_header', alias: 'X-Tenant-Id', tenant: 'tenant-alpha' }] })).status, 400, 'no tenant from the body');
    const ok = await api(ts, 'POST', '/console/telemetry', bot, {
      events: [
        { kind: 'legacy_header', alias: 'X-Tenant-Id', count: 3 },
        { kind: 'tenant_switch', fromTenant: 'tenant-alpha', toTenant: 'tenant-bravo', trigger: 'selector' },
      ],
    });
    assert.equal(ok.status, 202);
    const one = { events: [{ kind: 'tenant_switch', fromTenant: 'tenant-bravo', toTenant: 'tenant-alpha', trigger: 'deep-link' }] };
    assert.equal((await api(ts, 'POST', '/console/telemetry', bot, one)).status, 202);
    assert.equal((await api(ts, 'POST', '/console/telemetry', bot, one)).status, 202);
    const limited = await api(ts, 'POST', '/console/telemetry', bot, one);
    assert.equal(limited.status, 429, 'rate-limited per token subject');
    assert.equal(limited.body.code, 'rate_limited');
    const authority = ts.stack.components.find((c) => c.name === 'authority')!;
    await authority.ctx.counters.flush();
    const rows = await readDailyCounters(ts.t.db, utcDay(new Date()), utcDay(new Date()), [signals.webLegacyHeader, signals.webTenantSwitch]);
    assert.deepEqual(
      rows.map((r) => [r.signal, r.alias, r.client, r.tenant, r.detail, r.count]),
      [
        [signals.webLegacyHeader, 'X-Tenant-Id', 'scanner-bot', 'tenant-bravo', '', 3],
        [signals.webTenantSwitch, '', 'scanner-bot', 'tenant-bravo', 'tenant-alpha>tenant-bravo:selector', 1],
        [signals.webTenantSwitch, '', 'scanner-bot', 'tenant-bravo', 'tenant-bravo>tenant-alpha:deep-link', 2],
      ],
    );
  });

  it('rollback playbook end to end: revert hook records its arguments, LKG restored, matrix evidence attached, second run a no-op, other module untouched', async () => {
    const hookLog = join(ts.t.stateDir, 'revert-hook.log');
    const hook = join(ts.t.stateDir, 'revert.mjs');
    writeFileSync(hook, "import { appendFileSync } from 'node:fs';\nappendFileSync(process.argv[2], JSON.stringify(process.argv.slice(3)) + '\\n');\n");
    writeFileSync(hookLog, '');
    const env: RolloutEnv = {
      db: ts.t.db,
      policy: { ...defaultPolicy, revertHook: { command: [process.execPath, hook, hookLog, '{module}', '{build}'], timeoutMs: 10_000 } },
      clock: systemClock,
      matrix: matrixRerun({ gateway: ts.url('gateway'), clientId: 'tenantgate-admin', secret: ts.credentials.clients['tenantgate-admin'].secret, outDir: join(ts.t.stateDir, 'evidence') }),
    };
    const who = { actor: 'ops:e2e' };
    await recordDeployment(env, { ...who, component: 'graph', buildId: 'graph-1.0', lastKnownGood: true });
    await recordDeployment(env, { ...who, component: 'graph', buildId: 'graph-1.1' });
    await recordDeployment(env, { ...who, component: 'platform', buildId: 'platform-2.0' });
    const flip = await api(ts, 'POST', '/admin/rollout/flags', admin, { name: 'graph.emitLegacyHeaders', value: false, reason: 'graph migrated' });
    assert.equal(flip.status, 200);
    await api(ts, 'POST', '/admin/rollout/flags', admin, { name: 'platform.emitLegacyHeaders', value: false, reason: 'platform migrated' });

    const first = await runRollback(env, { ...who, component: 'graph', reason: 'GRAPH_VALIDATION_FAILED spike after graph-1.1' });
    const firstEvidence = await readEvidence(ts.t.db, { incidentId: first.incidentId });
    assert.deepEqual(first.steps.map((s) => `${s.step}:${s.outcome}`), ['flags:done', 'freeze:done', 'revert:done', 'matrix:done'], JSON.stringify(firstEvidence[0]?.cases.filter((c) => c.status !== 'passed')));
    assert.deepEqual(readFileSync(hookLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l)), [['graph', 'graph-1.0']]);
    const flags = (await readFlagSnapshot(ts.t.db)).values;
    assert.equal(flags['graph.emitLegacyHeaders'], true);
    assert.equal(flags['platform.emitLegacyHeaders'], false, 'platform untouched');
    assert.equal((await readRolloutState(ts.t.db)).frozen, true);
    assert.equal((await readDeployments(ts.t.db, 'graph')).find((d) => d.current)!.buildId, 'graph-1.0');
    assert.equal((await readDeployments(ts.t.db, 'platform')).find((d) => d.current)!.buildId, 'platform-2.0');
    const evidence = await readEvidence(ts.t.db, { incidentId: first.incidentId });
    assert.equal(evidence.length, 1);
    assert.equal(evidence[0].green, true, JSON.stringify(evidence[0].cases.filter((c) => c.status !== 'passed')));
    assert.ok(evidence[0].total >= 27);

    const incident = await api(ts, 'GET', `/admin/rollout/incidents/${first.incidentId}`, admin);
    assert.equal(incident.status, 200);
    assert.deepEqual(incident.body.timeline.map((e: any) => e.step), ['opened', 'flags', 'freeze', 'revert', 'matrix']);
    assert.equal(incident.body.evidence.length, 1);

    const second = await api(ts, 'POST', '/admin/rollout/rollback', admin, { component: 'graph', reason: 'again, from the console' });
    assert.equal(second.status, 200);
    assert.equal(second.body.noop, true);
    assert.deepEqual(second.body.steps.map((s: any) => s.outcome), ['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    assert.equal(readFileSync(hookLog, 'utf8').trim().split('\n').length, 1);
    assert.equal(second.body.incident.timeline.length, 5);

    // The model is untouched: a token still carries exactly one tenant after the rollback.
    const bot = await token(ts.url('gateway'), 'scanner-bot', ts.credentials.clients['scanner-bot'].secret, { tenant: 'tenant-alpha' });
    const ctx = await api(ts, 'GET', '/api/v1/platform/context', bot);
    assert.equal(ctx.body.tenant, 'tenant-alpha');
    const strictRefused = await api(ts, 'POST', '/admin/rollout/strict', admin, { mode: 'new-clients', reason: 'try', force: true });
    assert.equal(strictRefused.status, 409, 'frozen: even forced strict is refused');
  });

  it('two gateway processes on one database: a flag flip reaches both within a second and their counters sum exactly', async () => {
    const start = componentStarters.gateway;
    const ctx = await createComponentContext({ name: 'gateway', config: ts.config, runtimeUrl: ts.stack.prepared.runtimeUrl, keyEncryptionKey: ts.stack.prepared.keyEncryptionKey });
    const port = await freeBasePort();
    let second: RunningComponent | null = null;
    try {
      second = await start(ctx, port);
      const first = ts.stack.components.find((c) => c.name === 'gateway')!;
      const gateways = [first.url, second.url];
      const legacy = await token(ts.url('gateway'), 'legacy-cli', ts.credentials.clients['legacy-cli'].secret);
      const probe = (url: string) => fetch(`${url}/api/v1/platform/context`, { headers: { authorization: `Bearer ${legacy}`, 'x-tenant-id': 'tenant-alpha' } }).then((r) => r.status);
      // Counters: 7 legacy-header requests through one process, 5 through the other.
      const before = await readDailyCounters(ts.t.db, utcDay(new Date()), utcDay(new Date()), [signals.gatewayLegacyHeader]);
      const sum = (rows: typeof before) => rows.filter((r) => r.client === 'legacy-cli').reduce((s, r) => s + r.count, 0);
      for (let i = 0; i < 7; i++) assert.equal(await probe(gateways[0]), 200);
      for (let i = 0; i < 5; i++) assert.equal(await probe(gateways[1]), 200);
      await first.ctx.counters.flush();
      await ctx.counters.flush();
      const afterRows = await readDailyCounters(ts.t.db, utcDay(new Date()), utcDay(new Date()), [signals.gatewayLegacyHeader]);
      assert.equal(sum(afterRows) - sum(before), 12);

      const strictAll = await api(ts, 'POST', '/admin/rollout/flags', admin, { name: 'gateway.strictMode', value: 'all', reason: 'convergence test' });
      assert.equal(strictAll.status, 200);
      const flippedAt = Date.now();
      const seen = await Promise.all(
        gateways.map(async (url) => {
          while (Date.now() - flippedAt < 1000) {
            if ((await probe(url)) === 400) return Date.now() - flippedAt;
            await new Promise((r) => setTimeout(r, 20));
          }
          return null;
        }),
      );
      assert.ok(seen.every((ms) => ms !== null), `both gateways strict within 1 s: ${JSON.stringify(seen)}`);
      const version = (await readFlagSnapshot(ts.t.db)).version;
      const status = await api(ts, 'GET', '/admin/rollout/status', admin);
      const gatewayRows = status.body.instances.filter((i: any) => i.component === 'gateway');
      assert.equal(gatewayRows.length, 2);
      assert.ok(gatewayRows.every((i: any) => i.flagVersion === version), JSON.stringify(gatewayRows));
    } finally {
      if (second) await second.close();
    }
  });
});
