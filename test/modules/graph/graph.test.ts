import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoSbom, seedGraphFixture } from './support/fixture-sbom.ts';
import { canonicalPurl, nodeIdForPurl, readCycloneDxGraph } from '../../../src/modules/graph/ingest/read-cyclonedx-graph.ts';
import { graphRoutes } from '../../../src/modules/graph/routes.ts';
import { createModuleHarness, type ModuleHarness } from '../tenant-context/harness.ts';

const ALPHA = 'tenant-alpha';
const BRAVO = 'tenant-bravo';
const G = '/api/v1/graph';
const id = (purl: string) => nodeIdForPurl(purl);
const EXPRESS = id('pkg:npm/express@4.18.2');
const QS = id('pkg:npm/qs@6.11.0');
const ALPHA_ONLY = id('pkg:npm/alpha-billing-client@2.1.0');
const BRAVO_ONLY = id('pkg:npm/bravo-edge-agent@0.9.0');

function parseNdjson(body: string): any[] {
  return body.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('CycloneDX → graph (pure)', () => {
  it('canonicalizes purls, maps bom-refs to edges, skips components without a valid purl', () => {
    const g = readCycloneDxGraph({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: { component: { 'bom-ref': 'app', name: 'app', purl: 'pkg:npm/app@1.0.0' } },
      components: [
        { 'bom-ref': 'a', name: 'A', purl: 'pkg:NPM/A@1.0.0' },
        { 'bom-ref': 'b', name: 'b', purl: 'pkg:npm/b@2.0.0', components: [{ 'bom-ref': 'c', name: 'c', purl: 'pkg:npm/c@3.0.0' }] },
        { 'bom-ref': 'x', name: 'no purl' },
        { 'bom-ref': 'y', name: 'broken', purl: 'not a purl' },
      ],
      dependencies: [
        { ref: 'app', dependsOn: ['a', 'b', 'x', 'missing'] },
        { ref: 'b', dependsOn: ['c', 'b'] },
        { ref: 'pkg:npm/c@3.0.0', dependsOn: ['pkg:npm/a@1.0.0'] },
      ],
    });
    assert.deepEqual(g.components.map((c) => c.purl).sort(), ['pkg:npm/a@1.0.0', 'pkg:npm/app@1.0.0', 'pkg:npm/b@2.0.0', 'pkg:npm/c@3.0.0']);
    assert.equal(g.subject, id('pkg:npm/app@1.0.0'));
    assert.equal(g.edges.length, 4);
    assert.deepEqual(g.skipped.map((s) => s.reason), ['no_purl', 'invalid_purl']);
  });
});

describe('Graph behind the shared tenant context', () => {
  let h: ModuleHarness;
  before(async () => {
    h = await createModuleHarness('graph', graphRoutes, {}, async (t) =>
      seedGraphFixture(t.db),
    );
  });
  after(async () => h.close());

  it('the same node id resolves to each tenant’s own record', async () => {
    const a = await h.call('GET', `${G}/nodes/${EXPRESS}`, { tenant: ALPHA });
    const b = await h.call('GET', `${G}/nodes/${EXPRESS}`, { tenant: BRAVO });
    assert.equal(a.statusCode, 200);
    assert.equal(a.json().name, 'Alpha express');
    assert.equal(b.json().name, 'Bravo express');
    assert.deepEqual([a.json().dependencies, a.json().dependents], [2, 1]);
  });

  it("another tenant's node is 404, like a node that exists nowhere", async () => {
    const res = await h.call('GET', `${G}/nodes/${BRAVO_ONLY}`, { tenant: ALPHA });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'not_found');
    assert.equal((await h.call('GET', `${G}/nodes/pkg-${'0'.repeat(24)}`, { tenant: ALPHA })).statusCode, 404);
    assert.equal((await h.call('GET', `${G}/nodes/nonsense`, { tenant: ALPHA })).statusCode, 404);
    assert.equal((await h.call('GET', `${G}/nodes/${ALPHA_ONLY}`, { tenant: BRAVO })).statusCode, 404);
    assert.equal((await h.call('GET', `${G}/nodes/${ALPHA_ONLY}`, { tenant: ALPHA })).statusCode, 200);
    for (const body of [
      { kind: 'neighbours', node: BRAVO_ONLY },
      { kind: 'paths', node: EXPRESS, to: BRAVO_ONLY, depth: 3 },
    ]) {
      const q = await h.call('POST', `${G}/query`, { tenant: ALPHA, body });
      assert.equal(q.statusCode, 404, JSON.stringify(body));
    }
  });

  it('search by a substring of the name or purl sees only the own tenant', async () => {
    const byName = (await h.call('GET', `${G}/search?q=bravo`, { tenant: ALPHA })).json();
    assert.deepEqual(byName.items, []);
    const own = (await h.call('GET', `${G}/search?q=alpha`, { tenant: ALPHA })).json();
    assert.equal(own.items.length, 7, 'the five shared packages, the own one and the image named …/alpha/web');
    assert.ok(own.items.every((n: any) => n.name.toLowerCase().includes('alpha')));
    const inner = (await h.call('GET', `${G}/search?q=PARSER`, { tenant: ALPHA })).json();
    assert.deepEqual(inner.items.map((n: any) => n.name), ['Alpha body-parser'], 'inside the name, case-insensitive');
    const purlInner = (await h.call('GET', `${G}/search?q=${encodeURIComponent('/qs@6')}`, { tenant: BRAVO })).json();
    assert.deepEqual(purlInner.items.map((n: any) => n.name), ['Bravo qs'], 'inside the purl');
    const byPurl = (await h.call('GET', `${G}/search?q=${encodeURIComponent('pkg:npm/')}`, { tenant: BRAVO })).json();
    assert.equal(byPurl.items.length, 6);
    assert.ok(byPurl.items.every((n: any) => n.name.startsWith('Bravo')));
    const wildcard = (await h.call('GET', `${G}/search?q=%25_`, { tenant: BRAVO })).json();
    assert.deepEqual(wildcard.items, [], 'LIKE wildcards in q are literal');
  });

  it('search paginates', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const url: string = `${G}/search?q=alpha&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page: any = (await h.call('GET', url, { tenant: ALPHA })).json();
      seen.push(...page.items.map((n: any) => n.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
  });

  it('neighbours: depth-bounded, per direction', async () => {
    const one = (await h.call('POST', `${G}/query`, { tenant: ALPHA, body: { kind: 'neighbours', node: EXPRESS } })).json();
    assert.deepEqual(one.nodes.map((n: any) => [n.name, n.depth]).sort(), [['Alpha body-parser', 1], ['Alpha cookie', 1], ['Alpha express', 0]]);
    assert.equal(one.edges.length, 2);
    const two = (await h.call('POST', `${G}/query`, { tenant: ALPHA, body: { kind: 'neighbours', node: EXPRESS, depth: 2 } })).json();
    assert.ok(two.nodes.some((n: any) => n.id === QS && n.depth === 2));
    const up = (await h.call('POST', `${G}/query`, { tenant: BRAVO, body: { kind: 'neighbours', node: QS, direction: 'dependents', depth: 6 } })).json();
    assert.deepEqual(
      up.nodes.map((n: any) => n.name).sort(),
      ['Bravo body-parser', 'Bravo edge agent', 'Bravo express', 'Bravo qs', 'registry.example/bravo/api'],
    );
    const tooDeep = await h.call('POST', `${G}/query`, { tenant: ALPHA, body: { kind: 'neighbours', node: EXPRESS, depth: 7 } });
    assert.equal(tooDeep.statusCode, 400);
    const capped = (await h.call('POST', `${G}/query`, { tenant: ALPHA, body: { kind: 'neighbours', node: EXPRESS, depth: 3, limit: 2 } })).json();
    assert.equal(capped.nodes.length, 2);
    assert.equal(capped.truncated, true);
  });

  it('paths: every dependency path within the depth bound', async () => {
    const root = id(canonicalPurl(`pkg:oci/api@sha256%3A${'b'.repeat(64)}?repository_url=registry.example/bravo/api`)!);
    const res = await h.call('POST', `${G}/query`, { tenant: BRAVO, body: { kind: 'paths', node: root, to: QS, depth: 4 } });
    assert.equal(res.statusCode, 200);
    const paths = res.json().paths;
    assert.equal(paths.length, 2);
    assert.deepEqual(paths[0], [root, BRAVO_ONLY, QS], 'shortest first');
    const short = (await h.call('POST', `${G}/query`, { tenant: BRAVO, body: { kind: 'paths', node: root, to: QS, depth: 2 } })).json();
    assert.equal(short.paths.length, 1);
    assert.equal((await h.call('POST', `${G}/query`, { tenant: BRAVO, body: { kind: 'paths', node: root } })).statusCode, 400);
  });

  it('ingest: creates nodes and edges in the own tenant only; re-ingest is idempotent', async () => {
    const sbom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      metadata: { component: { 'bom-ref': 'svc', name: 'Alpha svc', purl: 'pkg:npm/alpha-svc@1.0.0' } },
      components: [{ 'bom-ref': 'ex', name: 'Alpha express', purl: 'pkg:npm/express@4.18.2' }, { 'bom-ref': 'n', name: 'nameless' }],
      dependencies: [{ ref: 'svc', dependsOn: ['ex'] }],
    };
    const first = await h.call('POST', `${G}/sboms`, { tenant: ALPHA, body: sbom });
    assert.equal(first.statusCode, 201);
    assert.deepEqual([first.json().nodes, first.json().edges, first.json().skipped, first.json().duplicate], [2, 1, 1, false]);
    const again = await h.call('POST', `${G}/sboms`, { tenant: ALPHA, body: sbom });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().duplicate, true);
    const express = (await h.call('GET', `${G}/nodes/${EXPRESS}`, { tenant: ALPHA })).json();
    assert.deepEqual([express.sbomCount, express.dependents], [2, 2]);
    assert.equal((await h.call('GET', `${G}/nodes/${EXPRESS}`, { tenant: BRAVO })).json().dependents, 1);
    assert.equal((await h.call('GET', `${G}/nodes/${id('pkg:npm/alpha-svc@1.0.0')}`, { tenant: BRAVO })).statusCode, 404);
    // A tenant written into the document or the URL is just data: the envelope's tenant decides.
    const smuggled = { bomFormat: 'CycloneDX', specVersion: '1.5', tenant: BRAVO, tenant_id: BRAVO, components: [{ name: 'Alpha smuggled', purl: 'pkg:npm/smuggled@1.0.0' }] };
    assert.equal((await h.call('POST', `${G}/sboms?tenant=${BRAVO}`, { tenant: ALPHA, body: smuggled })).statusCode, 201);
    assert.equal((await h.call('GET', `${G}/nodes/${id('pkg:npm/smuggled@1.0.0')}`, { tenant: BRAVO })).statusCode, 404);
    assert.equal((await h.call('GET', `${G}/nodes/${id('pkg:npm/smuggled@1.0.0')}?tenant=${BRAVO}`, { tenant: ALPHA })).json().name, 'Alpha smuggled');
    const bad = await h.call('POST', `${G}/sboms`, { tenant: ALPHA, body: { bomFormat: 'SPDX', specVersion: '2.3' } });
    assert.equal(bad.statusCode, 400);
  });

  it('export streams NDJSON of the own tenant only, ending with the counts', async () => {
    const res = await h.call('GET', `${G}/export`, { tenant: BRAVO });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/x-ndjson/);
    const records = parseNdjson(res.body);
    const nodes = records.filter((r) => r.record === 'node');
    const edges = records.filter((r) => r.record === 'edge');
    assert.equal(nodes.length, 7);
    assert.equal(edges.length, 7);
    assert.deepEqual(records[records.length - 1], { record: 'end', nodes: 7, edges: 7 });
    assert.doesNotMatch(res.body, /Alpha|alpha/);
  });

  it('export spans several cursor batches and still ends with the exact counts', async () => {
    const count = 1234;
    const components = Array.from({ length: count }, (_, i) => ({ 'bom-ref': `c${i}`, name: `Charlie lib ${i}`, purl: `pkg:npm/charlie-lib-${i}@1.0.${i}` }));
    const dependencies = components.slice(1).map((c, i) => ({ ref: `c${i}`, dependsOn: [c['bom-ref']] }));
    const ingest = await h.call('POST', `${G}/sboms`, { tenant: 'tenant-charlie', body: { bomFormat: 'CycloneDX', specVersion: '1.5', components, dependencies } });
    assert.equal(ingest.statusCode, 201);
    const res = await h.call('GET', `${G}/export`, { tenant: 'tenant-charlie' });
    const records = parseNdjson(res.body);
    assert.equal(records.filter((r) => r.record === 'node').length, count);
    assert.equal(records.filter((r) => r.record === 'edge').length, count - 1);
    assert.deepEqual(records[records.length - 1], { record: 'end', nodes: count, edges: count - 1 });
    const deep = (await h.call('POST', `${G}/query`, { tenant: 'tenant-charlie', body: { kind: 'neighbours', node: id('pkg:npm/charlie-lib-0@1.0.0'), depth: 6 } })).json();
    assert.equal(deep.nodes.length, 7, 'a chain of 1234 is walked only 6 steps deep');
  });

  it('missing tenant → 400 everywhere; conflict → GRAPH_VALIDATION_FAILED; forged headers → 401', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', `${G}/nodes/${EXPRESS}`, undefined],
      ['GET', `${G}/search?q=a`, undefined],
      ['POST', `${G}/query`, { kind: 'neighbours', node: EXPRESS }],
      ['GET', `${G}/export`, undefined],
      ['POST', `${G}/sboms`, demoSbom('tenant-alpha')],
    ];
    for (const [method, url, body] of routes) {
      const missing = await h.call(method as 'GET', url, { tenant: null, body });
      assert.equal(missing.statusCode, 400, `${method} ${url}`);
      assert.equal(missing.json().code, 'tenant_missing');
      const conflict = await h.call(method as 'GET', url, { tenant: ALPHA, headers: { 'X-StellaOps-Tenant': `${ALPHA},${BRAVO}` }, body });
      assert.equal(conflict.statusCode, 400);
      assert.equal(conflict.json().code, 'GRAPH_VALIDATION_FAILED');
      const forged = await h.call(method as 'GET', url, { unsigned: true, headers: { 'X-StellaOps-Tenant': ALPHA, 'X-StellaOps-Scopes': 'graph:read graph:query graph:export graph:write' }, body });
      assert.equal(forged.statusCode, 401);
    }
  });

  it('each route needs its own scope', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', `${G}/nodes/${EXPRESS}`, undefined, 'graph:read'],
      ['GET', `${G}/search?q=a`, undefined, 'graph:read'],
      ['POST', `${G}/query`, { kind: 'neighbours', node: EXPRESS }, 'graph:query'],
      ['GET', `${G}/export`, undefined, 'graph:export'],
      ['POST', `${G}/sboms`, demoSbom('tenant-alpha'), 'graph:write'],
    ];
    const all = ['graph:read', 'graph:query', 'graph:export', 'graph:write'];
    for (const [method, url, body, scope] of cases) {
      const without = await h.call(method as 'GET', url, { tenant: ALPHA, body, identity: { scopes: all.filter((s) => s !== scope) } });
      assert.equal(without.statusCode, 403, `${method} ${url} without ${scope}`);
      assert.equal(without.json().code, 'insufficient_scope');
      const withIt = await h.call(method as 'GET', url, { tenant: ALPHA, body, identity: { scopes: [scope] } });
      assert.ok(withIt.statusCode < 300, `${method} ${url} with ${scope}: ${withIt.statusCode}`);
    }
  });
});
