/**
 * One fleet, one issuer: instances record the issuer and key ids they work with; an
 * instance whose issuer the others do not share is flagged by `rollout status` and is not
 * ready — the case of two instances deriving their issuer from their own `--port`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { issuer, type Config } from '../../src/config/schema.ts';
import { loadPolicy } from '../../src/rollout/policy/load.ts';
import { rolloutStatus } from '../../src/rollout/operations/rollout-status.ts';
import { formatStatus } from '../../src/rollout/text/format-status.ts';
import { startStack, type Stack } from '../../src/stack.ts';
import { compareFleetIdentity, type InstanceIdentity } from '../../src/telemetry/fleet-identity.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { callApi, clientToken } from '../support/gateway-client.ts';
import { readDemoCredentials } from '../../src/demo/credentials.ts';
import { freeBasePort } from '../support/ports.ts';

const inst = (instanceId: string, component: string, iss: string, keyIds: string[] = ['k1'], signingKid: string | null = null): InstanceIdentity => ({
  instanceId,
  component,
  issuer: iss,
  keyIds,
  signingKid: component === 'authority' ? (signingKid ?? keyIds[0]) : null,
});

describe('comparing the fleet’s token identity', () => {
  it('agrees when every Authority issues what every gateway accepts', () => {
    const fleet = compareFleetIdentity([inst('a1', 'authority', 'https://id'), inst('a2', 'authority', 'https://id'), inst('g1', 'gateway', 'https://id')]);
    assert.deepEqual(fleet.findings, []);
    assert.deepEqual(fleet.issuers, [{ issuer: 'https://id', authorities: 2, gateways: 1 }]);
  });

  it('blocks a gateway no live Authority issues for, and an Authority no live gateway accepts', () => {
    const fleet = compareFleetIdentity([inst('a1', 'authority', 'http://127.0.0.1:8080'), inst('g1', 'gateway', 'http://127.0.0.1:8080'), inst('g2', 'gateway', 'http://127.0.0.1:9080'), inst('a2', 'authority', 'http://127.0.0.1:7080')]);
    const by = new Map(fleet.findings.map((f) => [f.instanceId, f]));
    assert.equal(by.get('g1'), undefined, 'g1 accepts what a1 issues');
    assert.equal(by.get('a1'), undefined);
    assert.equal(by.get('g2')?.blocksReadiness, true);
    assert.match(by.get('g2')!.detail, /accepts issuer http:\/\/127\.0\.0\.1:9080/);
    assert.equal(by.get('a2')?.blocksReadiness, true);
    assert.match(by.get('a2')!.detail, /no live gateway accepts/);
  });

  it('shows, without blocking, Authorities that disagree with no gateway about, and a gateway missing a signing key', () => {
    const lone = compareFleetIdentity([inst('a1', 'authority', 'x'), inst('a2', 'authority', 'y')]);
    assert.equal(lone.findings.length, 2);
    assert.ok(lone.findings.every((f) => !f.blocksReadiness));
    const behind = compareFleetIdentity([inst('a1', 'authority', 'x', ['k2', 'k1'], 'k2'), inst('g1', 'gateway', 'x', ['k1'])]);
    assert.deepEqual(
      behind.findings.map((f) => [f.instanceId, f.problem, f.blocksReadiness]),
      [['g1', 'key_missing', false]],
    );
  });
});

describe('instances that disagree on the issuer, on one database', () => {
  let t: TestDatabase;
  let config: Config;
  let other: Config;
  const stacks: Stack[] = [];
  let good = '';
  let odd = '';
  let authority = '';

  before(async () => {
    t = await createTestDatabase();
    config = t.config({ 'server.basePort': await freeBasePort(), 'demo.seed': true });
    const main = await startStack({ config, prepared: t.prepared, components: ['authority', 'platform', 'gateway'], cwd: t.stateDir });
    stacks.push(main);
    // A second gateway configured by its own port only: its issuer is derived from it.
    other = t.config({
      'server.basePort': await freeBasePort(),
      'demo.seed': false,
      'gateway.upstreams': { platform: main.components.find((c) => c.name === 'platform')!.url, authority: main.components.find((c) => c.name === 'authority')!.url },
    });
    const side = await startStack({ config: other, prepared: t.prepared, components: ['gateway'], cwd: t.stateDir });
    stacks.push(side);
    authority = main.components.find((c) => c.name === 'authority')!.url;
    good = main.components.find((c) => c.name === 'gateway')!.url;
    odd = side.components[0].url;
  });
  after(async () => {
    for (const s of stacks.reverse()) await s.stop();
    await t?.drop();
  });

  it('really cannot verify each other’s tokens', async () => {
    assert.notEqual(issuer(config), issuer(other));
    const credentials = readDemoCredentials(stacks[0].credentialsFile)!;
    const token = await clientToken(authority, credentials, 'scanner-bot', { tenant: 'tenant-alpha' });
    assert.equal((await callApi(good, token, 'GET', '/api/v1/platform/context')).status, 200);
    assert.equal((await callApi(odd, token, 'GET', '/api/v1/platform/context')).status, 401);
  });

  it('the odd gateway is not ready and says why; the agreeing one is ready', async () => {
    const oddReady = await fetch(`${odd}/readyz`);
    const body = (await oddReady.json()) as any;
    assert.equal(oddReady.status, 503, JSON.stringify(body));
    assert.equal(body.code, 'unavailable');
    assert.match(body.detail, new RegExp(`accepts issuer ${issuer(other).replace(/[.:/]/g, '\\$&')}`));
    assert.match(body.detail, /authority\.issuer/);
    assert.equal((await fetch(`${good}/readyz`)).status, 200);
    assert.equal((await fetch(`${authority}/readyz`)).status, 200, 'the Authority is accepted by one live gateway');
  });

  it('rollout status records each instance’s issuer and key ids and flags the odd one', async () => {
    const s = await rolloutStatus(t.db, loadPolicy(config, t.stateDir), new Date());
    const gateways = s.instances.filter((i) => i.component === 'gateway');
    assert.equal(gateways.length, 2);
    const auth = s.instances.find((i) => i.component === 'authority')!;
    assert.equal(auth.issuer, issuer(config));
    assert.ok(auth.keyIds.length >= 1);
    const flagged = gateways.filter((g) => g.identityProblem !== null);
    assert.equal(flagged.length, 1);
    assert.equal(flagged[0].issuer, issuer(other));
    const text = formatStatus(s);
    assert.match(text, /issuer: DISAGREE/);
    assert.match(text, /IDENTITY: accepts issuer/);
  });
});
