/**
 * The Scanner rows of the MODULES.md acceptance matrix through the real gateway and
 * Authority, with demo-client tokens and the demo seed: two tenants holding the same ids
 * (scan-0001, finding-0001, unknown-0001), bravo alone holding scan-0042.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { deliveryHeaders } from '../../../src/modules/scanner/webhooks/signature.ts';
import { callApi, clientToken } from '../../support/gateway-client.ts';
import { startTestStack, type TestStack } from '../../support/stack.ts';
import { digest, sbomFor } from './harness.ts';

const signed = (secret: string, body: string) => deliveryHeaders(secret, { id: randomUUID(), timestamp: Math.floor(Date.now() / 1000) }, body);

const ALPHA = 'tenant-alpha';
const BRAVO = 'tenant-bravo';

describe('Scanner through the gateway (acceptance matrix)', () => {
  let ts: TestStack;
  let gw = '';
  const tokens: Record<string, string> = {};

  const token = (client: string, tenant?: string, scope?: string) => clientToken(gw, ts.credentials, client, { tenant, scope });
  const call = (tok: string | null, method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string>; base?: string } = {}) =>
    callApi(options.base ?? gw, tok, method, path, options);

  async function waitForScan(tok: string, id: string) {
    for (let i = 0; i < 200; i++) {
      const res = await call(tok, 'GET', `/api/v1/scans/${id}`);
      if (res.status === 200 && (res.json.status === 'completed' || res.json.status === 'failed')) return res.json;
      await sleep(50);
    }
    throw new Error(`scan ${id} did not finish`);
  }

  before(async () => {
    ts = await startTestStack({ components: ['authority', 'scanner', 'gateway'], overrides: { 'modules.scanPollIntervalMs': 50 } });
    gw = ts.url('gateway');
    tokens.alpha = await token('scanner-bot', ALPHA);
    tokens.bravo = await token('scanner-bot', BRAVO);
  });
  after(async () => ts?.stop());

  describe('scans', () => {
    it('200 own scans; the shared id scan-0001 answers per tenant', async () => {
      const a = await call(tokens.alpha, 'GET', '/api/v1/scans/scan-0001');
      assert.equal(a.status, 200, a.text);
      assert.equal(a.json.imageName, 'registry.example/alpha/web');
      assert.equal(a.json.status, 'completed');
      assert.ok(a.json.findingCount > 0);
      assert.doesNotMatch(a.text, /bravo/i);
      const b = await call(tokens.bravo, 'GET', '/api/v1/scans/scan-0001');
      assert.equal(b.json.imageName, 'registry.example/bravo/web');
      assert.doesNotMatch(b.text, /alpha/i);
      const list = await call(tokens.alpha, 'GET', '/api/v1/scans');
      assert.deepEqual(list.json.items.map((s: any) => s.id), ['scan-0002', 'scan-0001']);
      assert.doesNotMatch(list.text, /bravo/i);
    });

    it("another tenant's scan → 404 (detail and findings), even though the id exists there", async () => {
      assert.equal((await call(tokens.bravo, 'GET', '/api/v1/scans/scan-0042')).status, 200);
      for (const path of ['/api/v1/scans/scan-0042', '/api/v1/scans/scan-0042/findings']) {
        const res = await call(tokens.alpha, 'GET', path);
        assert.equal(res.status, 404, path);
        assert.equal(res.json.code, 'not_found');
      }
    });

    it('202 for a submitted scan, which the workers complete', async () => {
      const res = await call(tokens.alpha, 'POST', '/api/v1/scans', { body: { imageDigest: digest('gw-alpha'), imageName: 'registry.example/alpha/new', sbom: sbomFor('Alpha', [{ name: 'Alpha Widget', purl: 'pkg:cargo/alpha-widget@1.0.0' }]) } });
      assert.equal(res.status, 202, res.text);
      assert.equal(res.json.id, 'scan-0003');
      const done = await waitForScan(tokens.alpha, res.json.id);
      assert.deepEqual([done.status, done.findingCount], ['completed', 3]);
    });

    it('a token without scanner:write cannot submit', async () => {
      const readOnly = await token('scanner-bot', ALPHA, 'scanner:read');
      const res = await call(readOnly, 'POST', '/api/v1/scans', { body: { imageDigest: digest('nope') } });
      assert.equal(res.status, 403);
      assert.equal(res.json.code, 'insufficient_scope');
    });
  });

  describe('triage', () => {
    it('200 own findings; finding-0001 is a different record per tenant, with its own history', async () => {
      const a = await call(tokens.alpha, 'GET', '/api/v1/triage/findings/finding-0001');
      const b = await call(tokens.bravo, 'GET', '/api/v1/triage/findings/finding-0001');
      assert.equal(a.status, 200, a.text);
      assert.equal(b.status, 200);
      assert.notEqual(a.json.advisoryId + a.json.package.purl, b.json.advisoryId + b.json.package.purl);
      assert.match(a.json.history.at(-1).note, /Alpha/);
      assert.match(b.json.history.at(-1).note, /Bravo/);
      const patch = await call(tokens.bravo, 'PATCH', '/api/v1/triage/findings/finding-0001', { body: { status: 'false_positive', note: 'Bravo: not reachable' } });
      assert.equal(patch.status, 200, patch.text);
      assert.equal(patch.json.history.at(-1).actor, 'scanner-bot');
      assert.equal((await call(tokens.alpha, 'GET', '/api/v1/triage/findings/finding-0001')).json.status, 'under_review');
    });

    it("another tenant's finding → 404", async () => {
      const bravoIds = (await call(tokens.bravo, 'GET', '/api/v1/triage/findings?limit=200')).json.items.map((f: any) => f.id);
      const alphaIds = new Set((await call(tokens.alpha, 'GET', '/api/v1/triage/findings?limit=200')).json.items.map((f: any) => f.id));
      const foreign = bravoIds.find((id: string) => !alphaIds.has(id)) ?? [...alphaIds].find((id) => !bravoIds.includes(id));
      assert.ok(foreign, 'one tenant holds a finding id the other lacks');
      const owner = bravoIds.includes(foreign) ? tokens.alpha : tokens.bravo;
      assert.equal((await call(owner, 'GET', `/api/v1/triage/findings/${foreign}`)).status, 404);
      assert.equal((await call(owner, 'PATCH', `/api/v1/triage/findings/${foreign}`, { body: { status: 'fixed' } })).status, 404);
    });
  });

  describe('unknowns', () => {
    it('200 own; unknown-0001 differs per tenant; the other tenant’s id → 404 on detail, evidence, history', async () => {
      const a = await call(tokens.alpha, 'GET', '/api/v1/unknowns/unknown-0001');
      const b = await call(tokens.bravo, 'GET', '/api/v1/unknowns/unknown-0001');
      assert.equal(a.json.componentName, 'Alpha Billing SDK');
      assert.equal(b.json.componentName, 'Bravo Telemetry Agent');
      const ev = await call(tokens.alpha, 'GET', '/api/v1/unknowns/unknown-0001/evidence');
      assert.equal(ev.status, 200);
      assert.deepEqual(ev.json.observations.map((o: any) => o.scanId), ['scan-0001', 'scan-0002']);
      const alphaIds = (await call(tokens.alpha, 'GET', '/api/v1/unknowns')).json.items.map((u: any) => u.id);
      const bravoIds = new Set((await call(tokens.bravo, 'GET', '/api/v1/unknowns')).json.items.map((u: any) => u.id));
      const alphaOnly = alphaIds.find((id: string) => !bravoIds.has(id));
      assert.ok(alphaOnly);
      for (const suffix of ['', '/evidence', '/history']) {
        const res = await call(tokens.bravo, 'GET', `/api/v1/unknowns/${alphaOnly}${suffix}`);
        assert.equal(res.status, 404, suffix);
      }
    });
  });

  describe('webhooks', () => {
    it('shared sourceName: each secret reaches only its tenant; unsigned or bad → 401', async () => {
      for (const [tok, secret] of [
        [tokens.alpha, 'alpha-webhook-secret-1234'],
        [tokens.bravo, 'bravo-webhook-secret-5678'],
      ]) {
        const reg = await call(tok, 'POST', '/api/v1/webhooks/sources', { body: { provider: 'github', sourceName: 'platform-images', secret } });
        assert.equal(reg.status, 201, reg.text);
      }
      const bravoBefore = (await call(tokens.bravo, 'GET', '/api/v1/scans')).json.items.length;
      const body = JSON.stringify({ imageDigest: digest('hook-alpha'), imageName: 'registry.example/alpha/hooked' });
      const ok = await call(null, 'POST', '/api/v1/webhooks/github/platform-images', { raw: body, headers: signed('alpha-webhook-secret-1234', body) });
      assert.equal(ok.status, 202, ok.text);
      const landed = await call(tokens.alpha, 'GET', `/api/v1/scans/${ok.json.scanId}`);
      assert.equal(landed.json.imageName, 'registry.example/alpha/hooked');
      assert.equal((await call(tokens.bravo, 'GET', '/api/v1/scans')).json.items.length, bravoBefore);
      const unsigned = await call(null, 'POST', '/api/v1/webhooks/github/platform-images', { raw: body });
      assert.equal(unsigned.status, 401, unsigned.text);
      assert.equal(unsigned.json.code, 'unauthorized');
      const bad = await call(null, 'POST', '/api/v1/webhooks/github/platform-images', { raw: body, headers: signed('guessed-secret-000000', body) });
      assert.equal(bad.status, 401);
    });

    it('source registration needs a token', async () => {
      const res = await call(null, 'GET', '/api/v1/webhooks/sources');
      assert.equal(res.status, 401);
    });
  });

  describe('direct calls that bypass the gateway', () => {
    it('forged identity headers without an envelope → 401', async () => {
      const res = await call(null, 'GET', '/api/v1/scans/scan-0001', { base: ts.url('scanner'), headers: { 'X-StellaOps-Tenant': BRAVO, 'X-StellaOps-Scopes': 'scanner:read' } });
      assert.equal(res.status, 401);
      assert.equal(res.json.code, 'identity_assertion_missing');
    });
  });
});
