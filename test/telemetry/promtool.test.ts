/**
 * Every component's /metrics passes `promtool check metrics` (Debian's `prometheus`
 * package): the exposition format and Prometheus' naming conventions (counters end in
 * `_total`, base units, HELP on every family), with samples in the histograms and counters.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startOrder } from '../../src/components.ts';
import { ensureDebian } from '../support/debian.ts';
import { callApi, clientToken } from '../support/gateway-client.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

const PROMTOOL = '/usr/bin/promtool';

function promtoolCheck(exposition: string): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('promtool check metrics', () => {
  let ts: TestStack;

  before(async () => {
    ensureDebian({ pkg: 'prometheus', path: PROMTOOL });
    ts = await startTestStack();
    const gw = ts.url('gateway');
    // A token request (Authority counters and histograms) and service routes through the gateway.
    const token = await clientToken(gw, ts.credentials, 'scanner-bot', { tenant: 'tenant-alpha' });
    const refused = await callApi(gw, null, 'POST', '/connect/token', { raw: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(refused.status, 401, refused.text);
    assert.equal((await callApi(gw, token, 'GET', '/api/v1/platform/context')).status, 200);
    assert.equal((await callApi(gw, token, 'GET', '/api/v1/scans')).status, 200);
    assert.equal((await callApi(gw, token, 'GET', '/api/v1/graph/nodes/nope')).status, 404);
    assert.equal((await callApi(gw, null, 'GET', '/api/v1/platform/context')).status, 401);
    assert.equal((await callApi(gw, null, 'GET', '/nonsense-path/xyzzy')).status, 404);
    // A synthetic client's request with a legacy tenant alias: samples of tenantgate_synthetic_requests_total.
    const admin = await clientToken(gw, ts.credentials, 'tenantgate-admin', { scope: 'authority:fleet.write' });
    const created = await callApi(gw, admin, 'POST', '/admin/clients', {
      body: { clientId: 'promtool-synthetic', grantTypes: ['client_credentials'], scopes: ['platform:read'], tenants: ['tenant-alpha'], synthetic: true },
    });
    assert.equal(created.status, 201, created.text);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'promtool-synthetic', client_secret: created.json.clientSecret });
    const synthetic = (await (await fetch(`${gw}/connect/token`, { method: 'POST', body: form })).json()).access_token as string;
    assert.equal((await callApi(gw, synthetic, 'GET', '/api/v1/platform/context', { headers: { 'X-Tenant-Id': 'tenant-alpha' } })).status, 200);
  });
  after(async () => ts?.stop());

  it('gateway: requests labelled by route table prefix, unknown paths by one fixed value', async () => {
    const text = await (await fetch(`${ts.url('gateway')}/metrics`)).text();
    const routes = new Set([...text.matchAll(/^tenantgate_http_requests_total\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]));
    for (const expected of ['/connect/', '/api/v1/platform/', '/api/v1/scans', '/api/v1/graph/nodes/', 'unmatched']) assert.ok(routes.has(expected), `route="${expected}" in ${[...routes].join(' ')}`);
    assert.ok(!routes.has('/*'));
    assert.doesNotMatch(text, /nonsense|xyzzy/);
    assert.match(text, /^tenantgate_synthetic_requests_total\{[^}]*kind="request"[^}]*\} [1-9]/m);
    assert.match(text, /^tenantgate_synthetic_requests_total\{[^}]*kind="legacy_header"[^}]*\} [1-9]/m);
    assert.doesNotMatch(text, /^tenantgate_gateway_legacy_tenant_header_total\{[^}]*client="promtool-synthetic"/m);
  });

  for (const component of startOrder) {
    it(`${component}: exit 0, nothing to report`, async () => {
      const res = await fetch(`${ts.url(component)}/metrics`);
      assert.equal(res.status, 200);
      const exposition = await res.text();
      assert.match(exposition, /_bucket\{/, 'histograms have samples');
      const { status, output } = promtoolCheck(exposition);
      assert.equal(output, '', `promtool on ${component}'s /metrics`);
      assert.equal(status, 0, `promtool on ${component}'s /metrics`);
    });
  }
});
