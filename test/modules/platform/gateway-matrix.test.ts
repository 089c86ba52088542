/**
 * The MODULES.md acceptance matrix rows for Platform and Graph, through the real gateway and
 * Authority with demo-client tokens: two tenants, overlapping ids, and the same calls made
 * straight to the module ports with forged headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoImages } from '../../../src/demo/demo-images.ts';
import { nodeIdForPurl, readCycloneDxGraph } from '../../../src/modules/graph/ingest/read-cyclonedx-graph.ts';
import { callApi, clientToken } from '../../support/gateway-client.ts';
import { startTestStack, type TestStack } from '../../support/stack.ts';

const ALPHA = 'tenant-alpha';
const BRAVO = 'tenant-bravo';
// The demo graph is the demo scans' SBOMs (src/demo/demo-images.ts): both web images ship express.
const EXPRESS = nodeIdForPurl('pkg:npm/express@4.19.2');
const BRAVO_ONLY = nodeIdForPurl('pkg:npm/jsonwebtoken@8.5.1');
const ALPHA_ROOT = readCycloneDxGraph(demoImages('tenant-alpha')[0].sbom).subject!;
const bravoGraphs = demoImages('tenant-bravo').map((i) => readCycloneDxGraph(i.sbom));
const BRAVO_NODES = new Set(bravoGraphs.flatMap((g) => g.components.map((c) => c.purl))).size;
const BRAVO_EDGES = bravoGraphs.reduce((n, g) => n + g.edges.length, 0);

describe('Platform and Graph through the gateway (acceptance matrix)', () => {
  let ts: TestStack;
  const tokens: Record<string, string> = {};
  let gw = '';

  const token = (client: string, tenant?: string, scope?: string) => clientToken(gw, ts.credentials, client, { tenant, scope });
  const call = (tok: string | null, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; base?: string } = {}) =>
    callApi(options.base ?? gw, tok, method, path, options);

  before(async () => {
    ts = await startTestStack({ components: ['authority', 'platform', 'graph', 'gateway'] });
    gw = ts.url('gateway');
    tokens.alpha = await token('scanner-bot', ALPHA);
    tokens.bravo = await token('scanner-bot', BRAVO);
  });
  after(async () => ts?.stop());

  describe('Platform context', () => {
    it('the module sees the token’s tenant and client', async () => {
      const res = await call(tokens.bravo, 'GET', '/api/v1/platform/context');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.tenant, BRAVO);
      assert.equal(res.json.client, 'scanner-bot');
      assert.ok(res.json.scopes.includes('platform:read'));
    });

    it('preferences: 200 own record; the other tenant keeps its own', async () => {
      const put = await call(tokens.alpha, 'PUT', '/api/v1/platform/context/preferences', { body: { region: 'eu-west-1', timeWindow: '7d' } });
      assert.equal(put.status, 200, put.text);
      const alpha = await call(tokens.alpha, 'GET', '/api/v1/platform/context/preferences');
      assert.deepEqual([alpha.json.tenant, alpha.json.region, alpha.json.timeWindow], [ALPHA, 'eu-west-1', '7d']);
      const bravo = await call(tokens.bravo, 'GET', '/api/v1/platform/context/preferences');
      assert.equal(bravo.status, 200);
      assert.deepEqual([bravo.json.tenant, bravo.json.region], [BRAVO, null]);
    });
  });

  describe('Platform topology', () => {
    it('200 own topology; the shared id prod answers per tenant', async () => {
      const a = await call(tokens.alpha, 'GET', '/api/v1/platform/topology/environments');
      assert.equal(a.status, 200, a.text);
      assert.deepEqual(a.json.items.map((e: any) => e.id), ['alpha-lab', 'prod']);
      assert.doesNotMatch(a.text, /Bravo/);
      assert.equal((await call(tokens.alpha, 'GET', '/api/v1/platform/topology/environments/prod')).json.name, 'Alpha Production');
      assert.equal((await call(tokens.bravo, 'GET', '/api/v1/platform/topology/environments/prod')).json.name, 'Bravo Production');
    });

    it("404 for the other tenant's environment, on every verb, even though the id exists", async () => {
      for (const [method, path, body] of [
        ['GET', '/api/v1/platform/topology/environments/bravo-edge', undefined],
        ['PUT', '/api/v1/platform/topology/environments/bravo-edge', { name: 'Hijack' }],
        ['DELETE', '/api/v1/platform/topology/environments/bravo-edge', undefined],
        ['GET', '/api/v1/platform/topology/environments/bravo-edge/targets', undefined],
        ['GET', '/api/v1/platform/topology/environments/bravo-edge/targets/registry', undefined],
      ] as const) {
        const res = await call(tokens.alpha, method, path, { body });
        assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
        assert.equal(res.json.code, 'not_found');
      }
      assert.equal((await call(tokens.bravo, 'GET', '/api/v1/platform/topology/environments/bravo-edge')).json.name, 'Bravo Edge');
    });

    it('a write lands in the token’s tenant only', async () => {
      const created = await call(tokens.bravo, 'POST', '/api/v1/platform/topology/environments', { body: { id: 'alpha-lab', name: 'Bravo copy' } });
      assert.equal(created.status, 201, created.text);
      assert.equal((await call(tokens.alpha, 'GET', '/api/v1/platform/topology/environments/alpha-lab')).json.name, 'Alpha Lab');
    });

    it('a token for another tenant cannot be steered by a tenant header', async () => {
      const res = await call(tokens.alpha, 'GET', '/api/v1/platform/topology/environments/bravo-edge', { headers: { 'X-StellaOps-Tenant': BRAVO } });
      assert.ok(res.status === 403 || res.status === 400, `${res.status} ${res.text}`);
      assert.doesNotMatch(res.text, /Bravo Edge/);
    });
  });

  describe('Graph', () => {
    it('200 with the route’s scope; equal node ids resolve per tenant', async () => {
      const a = await call(tokens.alpha, 'GET', `/api/v1/graph/nodes/${EXPRESS}`);
      const b = await call(tokens.bravo, 'GET', `/api/v1/graph/nodes/${EXPRESS}`);
      assert.equal(a.status, 200, a.text);
      assert.deepEqual([a.json.name, b.json.name], ['express', 'express']);
      assert.deepEqual([a.json.description, b.json.description], ['Alpha web dependency', 'Bravo web dependency']);
      const search = await call(tokens.alpha, 'GET', '/api/v1/graph/search?q=pkg%3Anpm%2F');
      assert.equal(search.status, 200);
      assert.ok(search.json.items.length > 0 && search.json.items.every((n: any) => n.description.startsWith('Alpha')));
      const q = await call(tokens.alpha, 'POST', '/api/v1/graph/query', { body: { kind: 'paths', node: ALPHA_ROOT, to: EXPRESS, depth: 3 } });
      assert.equal(q.status, 200, q.text);
      assert.deepEqual(q.json.paths, [[ALPHA_ROOT, EXPRESS]]);
      const exp = await call(tokens.bravo, 'GET', '/api/v1/graph/export');
      assert.equal(exp.status, 200);
      assert.match(exp.headers.get('content-type') ?? '', /ndjson/);
      const lines = exp.text.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines[lines.length - 1], { record: 'end', nodes: BRAVO_NODES, edges: BRAVO_EDGES });
      assert.deepEqual([BRAVO_NODES, BRAVO_EDGES], [12, 11], 'two images, their components with a purl, their dependencies');
      assert.doesNotMatch(exp.text, /Alpha/);
    });

    it('404 / empty results for the other tenant’s graph', async () => {
      assert.equal((await call(tokens.alpha, 'GET', `/api/v1/graph/nodes/${BRAVO_ONLY}`)).status, 404);
      assert.deepEqual((await call(tokens.alpha, 'GET', '/api/v1/graph/search?q=bravo')).json.items, []);
      assert.equal((await call(tokens.alpha, 'POST', '/api/v1/graph/query', { body: { kind: 'neighbours', node: BRAVO_ONLY } })).status, 404);
    });

    it('the gateway enforces each graph scope', async () => {
      const readOnly = await token('scanner-bot', ALPHA, 'graph:read');
      assert.equal((await call(readOnly, 'GET', `/api/v1/graph/nodes/${EXPRESS}`)).status, 200);
      for (const [method, path, body] of [
        ['POST', '/api/v1/graph/query', { kind: 'neighbours', node: EXPRESS }],
        ['GET', '/api/v1/graph/export', undefined],
        ['POST', '/api/v1/graph/sboms', { bomFormat: 'CycloneDX', specVersion: '1.5', components: [] }],
      ] as const) {
        const res = await call(readOnly, method, path, { body });
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.equal(res.json.code, 'insufficient_scope');
      }
    });

    it('a conflicting tenant value is a 400', async () => {
      const res = await call(tokens.alpha, 'GET', `/api/v1/graph/nodes/${EXPRESS}`, { headers: { 'X-StellaOps-Tenant': `${ALPHA}, ${BRAVO}` } });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.code, 'GRAPH_VALIDATION_FAILED', res.text);
    });
  });

  describe('direct calls that bypass the gateway', () => {
    it('forged identity headers without an envelope are rejected by Platform and Graph', async () => {
      const forged = { 'X-StellaOps-Tenant': BRAVO, 'X-StellaOps-Actor': 'mallory', 'X-StellaOps-Scopes': 'platform:read graph:read', 'X-Tenant-Id': BRAVO };
      for (const [module, path] of [
        ['platform', '/api/v1/platform/topology/environments/bravo-edge'],
        ['platform', '/api/v1/platform/context/preferences'],
        ['graph', `/api/v1/graph/nodes/${BRAVO_ONLY}`],
        ['graph', '/api/v1/graph/export'],
      ] as const) {
        const res = await call(null, 'GET', path, { base: ts.url(module), headers: forged });
        assert.equal(res.status, 401, `${module} ${path}`);
        assert.equal(res.json.code, 'identity_assertion_missing');
        assert.doesNotMatch(res.text, /Bravo/);
      }
    });

    it('a bearer token sent straight to a module is not an envelope either', async () => {
      const res = await call(tokens.bravo, 'GET', '/api/v1/platform/topology/environments/prod', { base: ts.url('platform'), headers: { 'X-StellaOps-Tenant': BRAVO } });
      assert.equal(res.status, 401);
    });
  });
});
