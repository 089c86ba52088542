/**
 * The Scanner's rows of the MODULES.md acceptance matrix, called directly with signed
 * envelopes: two tenants with overlapping ids (scan-0001, finding-0001, unknown-0001 in
 * both), own → 200/202, missing tenant → 400, another tenant's id → 404.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALPHA, BRAVO, digest, sbomFor, startScannerHarness, type ScannerHarness } from './harness.ts';

describe('Scanner API: isolation with overlapping ids', () => {
  let h: ScannerHarness;
  before(async () => {
    h = await startScannerHarness();
    // alpha: scan-0001; bravo: scan-0001 and scan-0002 (extra bravo-only ids of every kind).
    const a = await h.call('POST', '/api/v1/scans', { tenant: ALPHA, body: { imageDigest: digest('alpha-web'), imageName: 'registry.example/alpha/web', sbom: sbomFor('Alpha') } });
    assert.equal(a.status, 202, JSON.stringify(a.body));
    assert.deepEqual(a.body, { id: 'scan-0001', status: 'queued' });
    const b1 = await h.call('POST', '/api/v1/scans', { tenant: BRAVO, body: { imageDigest: digest('bravo-web'), imageName: 'registry.example/bravo/web', sbom: sbomFor('Bravo') } });
    assert.deepEqual(b1.body, { id: 'scan-0001', status: 'queued' });
    const b2 = await h.call('POST', '/api/v1/scans', {
      tenant: BRAVO,
      body: { imageDigest: digest('bravo-api'), imageName: 'registry.example/bravo/api', sbom: sbomFor('Bravo', [{ name: 'pyyaml', purl: 'pkg:pypi/PyYAML@5.3' }, { name: 'blob', purl: 'pkg:gem/rails@7.0.0' }]) },
    });
    assert.deepEqual(b2.body, { id: 'scan-0002', status: 'queued' });
    await h.waitForScan(ALPHA, 'scan-0001');
    await h.waitForScan(BRAVO, 'scan-0001');
    await h.waitForScan(BRAVO, 'scan-0002');
  });
  after(async () => h?.close());

  describe('scans', () => {
    it('own scans: 200 with real results', async () => {
      const a = await h.call('GET', '/api/v1/scans/scan-0001', { tenant: ALPHA });
      assert.equal(a.status, 200);
      assert.equal(a.body.imageName, 'registry.example/alpha/web');
      assert.equal(a.body.status, 'completed');
      assert.deepEqual([a.body.componentCount, a.body.findingCount, a.body.unknownCount], [4, 3, 1]);
      const b = await h.call('GET', '/api/v1/scans/scan-0001', { tenant: BRAVO });
      assert.equal(b.body.imageName, 'registry.example/bravo/web');
      const list = await h.call('GET', '/api/v1/scans', { tenant: BRAVO });
      assert.deepEqual(list.body.items.map((s: any) => s.id), ['scan-0002', 'scan-0001']);
      const alphaList = await h.call('GET', '/api/v1/scans', { tenant: ALPHA });
      assert.deepEqual(alphaList.body.items.map((s: any) => s.imageName), ['registry.example/alpha/web']);
    });

    it('findings of a scan, cursor-paginated', async () => {
      const first = await h.call('GET', '/api/v1/scans/scan-0001/findings?limit=2', { tenant: ALPHA });
      assert.equal(first.status, 200);
      assert.equal(first.body.items.length, 2);
      assert.ok(first.body.nextCursor);
      const rest = await h.call('GET', `/api/v1/scans/scan-0001/findings?limit=2&cursor=${first.body.nextCursor}`, { tenant: ALPHA });
      assert.equal(rest.body.items.length, 1);
      assert.equal(rest.body.nextCursor, null);
      const advisories = [...first.body.items, ...rest.body.items].map((f: any) => f.advisoryId).sort();
      assert.deepEqual(advisories, ['GHSA-35jh-r3h4-6jhm', 'GHSA-7rjr-3q55-vv33', 'GHSA-jfh8-c2jp-5v3q']);
    });

    it("another tenant's scan id → 404 on detail and findings", async () => {
      for (const path of ['/api/v1/scans/scan-0002', '/api/v1/scans/scan-0002/findings']) {
        const res = await h.call('GET', path, { tenant: ALPHA });
        assert.equal(res.status, 404, path);
        assert.equal(res.body.code, 'not_found');
        assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      }
    });

    it('a scan without SBOM uses the one registered for its digest; none at all → failed', async () => {
      const d = digest('alpha-registered');
      const reg = await h.call('POST', '/api/v1/scans/sboms', { tenant: ALPHA, body: { imageDigest: d, sbom: sbomFor('Alpha') } });
      assert.equal(reg.status, 201);
      assert.equal(reg.body.componentCount, 4);
      const s = await h.call('POST', '/api/v1/scans', { tenant: ALPHA, body: { imageDigest: d } });
      const done = await h.waitForScan(ALPHA, s.body.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.findingCount, 3);
      // The registration was alpha's: bravo scanning the same digest has no SBOM.
      const b = await h.call('POST', '/api/v1/scans', { tenant: BRAVO, body: { imageDigest: d } });
      const failed = await h.waitForScan(BRAVO, b.body.id);
      assert.equal(failed.status, 'failed');
      assert.match(failed.error, /no SBOM/);
    });

    it('a component with an enormous name still becomes an unknown', async () => {
      const name = `Bravo ${'x'.repeat(20_000)}`;
      const s = await h.call('POST', '/api/v1/scans', { tenant: BRAVO, body: { imageDigest: digest('bravo-huge'), sbom: { bomFormat: 'CycloneDX', components: [{ name, version: '1' }] } } });
      const done = await h.waitForScan(BRAVO, s.body.id);
      assert.deepEqual([done.status, done.unknownCount], ['completed', 1]);
      const listed = await h.call('GET', `/api/v1/unknowns?scanId=${s.body.id}`, { tenant: BRAVO });
      assert.equal(listed.body.items[0].componentName, name);
    });

    it('rejects a malformed digest and a non-CycloneDX SBOM', async () => {
      const bad = await h.call('POST', '/api/v1/scans', { tenant: ALPHA, body: { imageDigest: 'sha256:abc' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'validation_failed');
      const spdx = await h.call('POST', '/api/v1/scans', { tenant: ALPHA, body: { imageDigest: digest('x'), sbom: { spdxVersion: 'SPDX-2.3' } } });
      assert.equal(spdx.status, 400);
    });
  });

  describe('triage', () => {
    it('own findings: 200, status changes kept as history with actor and time', async () => {
      const list = await h.call('GET', '/api/v1/triage/findings', { tenant: ALPHA });
      assert.equal(list.status, 200);
      assert.ok(list.body.items.every((f: any) => f.scanId.startsWith('scan-')));
      const patch = await h.call('PATCH', '/api/v1/triage/findings/finding-0001', {
        tenant: ALPHA,
        body: { status: 'under_review', note: 'Alpha security team looking' },
        identity: { actor: 'alice' },
      });
      assert.equal(patch.status, 200, JSON.stringify(patch.body));
      assert.equal(patch.body.status, 'under_review');
      await h.call('PATCH', '/api/v1/triage/findings/finding-0001', { tenant: ALPHA, body: { status: 'accepted_risk' }, identity: { actor: 'carol' } });
      const detail = await h.call('GET', '/api/v1/triage/findings/finding-0001', { tenant: ALPHA });
      assert.equal(detail.body.status, 'accepted_risk');
      assert.deepEqual(
        detail.body.history.map((c: any) => [c.fromStatus, c.toStatus, c.actor]),
        [
          [null, 'open', 'scanner'],
          ['open', 'under_review', 'alice'],
          ['under_review', 'accepted_risk', 'carol'],
        ],
      );
      assert.equal(detail.body.history[1].note, 'Alpha security team looking');
      assert.ok(!Number.isNaN(Date.parse(detail.body.history[2].changedAt)));
      // Bravo's finding-0001 is a different record, untouched.
      const bravo = await h.call('GET', '/api/v1/triage/findings/finding-0001', { tenant: BRAVO });
      assert.equal(bravo.body.status, 'open');
      assert.equal(bravo.body.history.length, 1);
      const filtered = await h.call('GET', '/api/v1/triage/findings?status=accepted_risk', { tenant: ALPHA });
      assert.deepEqual(filtered.body.items.map((f: any) => f.id), ['finding-0001']);
    });

    it("another tenant's finding id → 404 on read and on change", async () => {
      const bravoOnly = (await h.call('GET', '/api/v1/triage/findings?scanId=scan-0002', { tenant: BRAVO })).body.items.map((f: any) => f.id);
      const alphaIds = new Set((await h.call('GET', '/api/v1/triage/findings?limit=200', { tenant: ALPHA })).body.items.map((f: any) => f.id));
      const foreign = bravoOnly.find((id: string) => !alphaIds.has(id));
      assert.ok(foreign, 'bravo holds a finding id alpha does not');
      assert.equal((await h.call('GET', `/api/v1/triage/findings/${foreign}`, { tenant: ALPHA })).status, 404);
      const patch = await h.call('PATCH', `/api/v1/triage/findings/${foreign}`, { tenant: ALPHA, body: { status: 'fixed' } });
      assert.equal(patch.status, 404);
      const still = await h.call('GET', `/api/v1/triage/findings/${foreign}`, { tenant: BRAVO });
      assert.equal(still.body.status, 'open');
    });

    it('rejects an unknown status', async () => {
      const res = await h.call('PATCH', '/api/v1/triage/findings/finding-0001', { tenant: ALPHA, body: { status: 'ignored' } });
      assert.equal(res.status, 400);
    });
  });

  describe('unknowns', () => {
    it('own unknowns with evidence and history', async () => {
      const list = await h.call('GET', '/api/v1/unknowns', { tenant: ALPHA });
      assert.equal(list.status, 200);
      const vendored = list.body.items.find((u: any) => u.componentName === 'alpha-vendored-lib');
      assert.ok(vendored);
      assert.equal(vendored.reason, 'missing_purl');
      const evidence = await h.call('GET', `/api/v1/unknowns/${vendored.id}/evidence`, { tenant: ALPHA });
      assert.equal(evidence.status, 200);
      assert.equal(evidence.body.component.name, 'alpha-vendored-lib');
      assert.equal(evidence.body.component.version, '0.1.0');
      assert.match(evidence.body.detail, /no package URL/);
      // The registered-SBOM scan met it again: two observations.
      const history = await h.call('GET', `/api/v1/unknowns/${vendored.id}/history`, { tenant: ALPHA });
      assert.deepEqual(history.body.items.map((e: any) => [e.event, e.scanId]), [
        ['first_seen', 'scan-0001'],
        ['seen_again', 'scan-0002'],
      ]);
      const bravo = await h.call('GET', '/api/v1/unknowns/unknown-0001', { tenant: BRAVO });
      assert.equal(bravo.body.componentName, 'bravo-vendored-lib');
    });

    it("another tenant's unknown id → 404 on detail, evidence and history", async () => {
      const bravoIds = (await h.call('GET', '/api/v1/unknowns', { tenant: BRAVO })).body.items.map((u: any) => u.id);
      const alphaIds = new Set((await h.call('GET', '/api/v1/unknowns', { tenant: ALPHA })).body.items.map((u: any) => u.id));
      const foreign = bravoIds.find((id: string) => !alphaIds.has(id));
      assert.ok(foreign);
      for (const suffix of ['', '/evidence', '/history']) {
        const res = await h.call('GET', `/api/v1/unknowns/${foreign}${suffix}`, { tenant: ALPHA });
        assert.equal(res.status, 404, suffix);
        assert.equal(res.body.code, 'not_found');
      }
    });
  });

  describe('tenant context', () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/scans'],
      ['POST', '/api/v1/scans', { imageDigest: digest('x') }],
      ['GET', '/api/v1/scans/scan-0001'],
      ['GET', '/api/v1/scans/scan-0001/findings'],
      ['POST', '/api/v1/scans/sboms', { imageDigest: digest('x'), sbom: { bomFormat: 'CycloneDX' } }],
      ['GET', '/api/v1/triage/findings'],
      ['GET', '/api/v1/triage/findings/finding-0001'],
      ['PATCH', '/api/v1/triage/findings/finding-0001', { status: 'fixed' }],
      ['GET', '/api/v1/unknowns'],
      ['GET', '/api/v1/unknowns/unknown-0001'],
      ['GET', '/api/v1/unknowns/unknown-0001/evidence'],
      ['GET', '/api/v1/unknowns/unknown-0001/history'],
      ['GET', '/api/v1/webhooks/sources'],
      ['POST', '/api/v1/webhooks/sources', { provider: 'github', sourceName: 'x', secret: 'a-long-enough-secret' }],
    ];

    it('missing tenant → 400 tenant_missing on every route', async () => {
      for (const [method, path, body] of routes) {
        const res = await h.call(method, path, { tenant: null, body });
        assert.equal(res.status, 400, `${method} ${path}`);
        assert.equal(res.body.code, 'tenant_missing', `${method} ${path}`);
      }
    });

    it('forged identity headers without an envelope → 401 on every route', async () => {
      for (const [method, path, body] of routes) {
        const res = await h.call(method, path, { tenant: BRAVO, body, unsigned: true });
        assert.equal(res.status, 401, `${method} ${path}`);
      }
    });

    it('a tenant header other than the signed one → 401 identity_tenant_mismatch', async () => {
      const res = await h.call('GET', '/api/v1/scans/scan-0001', { tenant: ALPHA, headers: { 'X-StellaOps-Tenant': BRAVO } });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'identity_tenant_mismatch');
    });

    it('scopes per method: read-only identity cannot write', async () => {
      const read = await h.call('GET', '/api/v1/scans', { tenant: ALPHA, identity: { scopes: ['scanner:read'] } });
      assert.equal(read.status, 200);
      const write = await h.call('POST', '/api/v1/scans', { tenant: ALPHA, identity: { scopes: ['scanner:read'] }, body: { imageDigest: digest('y') } });
      assert.equal(write.status, 403);
      assert.equal(write.body.code, 'insufficient_scope');
    });
  });
});
