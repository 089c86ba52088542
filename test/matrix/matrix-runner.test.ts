import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runMatrix } from '../../src/matrix/run-matrix.ts';
import { writeMatrixEvidence } from '../../src/matrix/write-evidence.ts';
import { parseEvidence } from '../../src/rollout/operations/import-evidence.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

/**
 * A deliberately broken deployment in front of the real one: for a read the real gateway
 * answers 404, it retries with every other caller's token it has seen and serves the first
 * hit — one shared data set behind the tenant-scoped API, the classic "fallback lookup
 * that ignores the tenant" bug. Setup still works; isolation does not.
 */
function startTenantIgnoringGateway(upstream: string): Promise<{ url: string; close: () => Promise<void> }> {
  const tokens = new Set<string>();
  const target = new URL(upstream);
  const forward = (req: http.IncomingMessage, body: Buffer, authorization: string | undefined) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const headers = { ...req.headers, host: target.host, authorization };
      if (!authorization) delete headers.authorization;
      delete headers.connection;
      const out = http.request({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent: false }, (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }));
      });
      out.on('error', reject);
      out.end(body);
    });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const body = Buffer.concat(chunks);
        const own = req.headers.authorization;
        if (own && req.url?.startsWith('/api/')) tokens.add(own);
        let answer = await forward(req, body, own);
        if (answer.status === 404 && req.method === 'GET' && req.url?.startsWith('/api/')) {
          for (const other of tokens) {
            if (other === own) continue;
            const retry = await forward(req, body, other);
            if (retry.status === 200) {
              answer = retry;
              break;
            }
          }
        }
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        delete headers['keep-alive'];
        res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
        res.end(answer.body);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

describe('acceptance matrix runner against a live stack', () => {
  let ts: TestStack;
  before(async () => {
    ts = await startTestStack();
  });
  after(async () => ts?.stop());

  it('is green against the real deployment and writes JSON, Markdown, JUnit and a sha256 manifest', async () => {
    const admin = ts.credentials.clients['tenantgate-admin'];
    const report = await runMatrix({
      gateway: ts.url('gateway'),
      clientId: 'tenantgate-admin',
      secret: admin.secret,
      modules: { platform: ts.url('platform'), scanner: ts.url('scanner'), graph: ts.url('graph') },
    });
    const failed = report.rows.filter((r) => !r.passed);
    assert.deepEqual(failed.map((r) => `${r.id}: ${r.detail}`), []);
    assert.ok(report.rows.length >= 27, `rows: ${report.rows.length}`);
    for (const area of ['Platform context', 'Platform topology', 'Scanner scans', 'Scanner triage', 'Scanner webhooks', 'Scanner unknowns', 'Graph', 'Gateway', 'Direct module']) {
      assert.ok(report.rows.some((r) => r.area === area), area);
    }
    const dir = join(ts.t.stateDir, 'matrix-green');
    const written = writeMatrixEvidence(report, dir);
    for (const f of ['matrix.json', 'matrix.md', 'matrix.junit.xml', 'manifest.sha256']) assert.ok(existsSync(join(dir, f)), f);
    for (const line of readFileSync(join(dir, 'manifest.sha256'), 'utf8').trim().split('\n')) {
      const [sum, name] = line.split(/\s+/);
      assert.equal(createHash('sha256').update(readFileSync(join(dir, name))).digest('hex'), sum, name);
    }
    const junit = parseEvidence('matrix', readFileSync(join(dir, 'matrix.junit.xml'), 'utf8'));
    assert.equal(junit.cases.length, report.rows.length);
    assert.ok(junit.cases.every((c) => c.status === 'passed'));
    assert.match(readFileSync(join(dir, 'matrix.md'), 'utf8'), /Result: \*\*GREEN\*\*/);
    assert.equal(written.files.length, 3);
  });

  it('is red against a deployment that ignores the tenant and serves one shared data set', async () => {
    const broken = await startTenantIgnoringGateway(ts.url('gateway'));
    try {
      const admin = ts.credentials.clients['tenantgate-admin'];
      const report = await runMatrix({ gateway: broken.url, clientId: 'tenantgate-admin', secret: admin.secret });
      assert.ok(report.summary.failed > 0, 'the runner must be able to fail');
      const failed = report.rows.filter((r) => !r.passed);
      const failedIds = failed.map((r) => r.id);
      assert.ok(!failedIds.includes('SETUP'), `setup works through the broken deployment: the rows themselves catch it (${failed[0]?.detail})`);
      // Every "another tenant's resource" row goes red, naming the leak.
      for (const id of ['PT-3', 'SS-3', 'ST-3', 'SU-3', 'G-3', 'SW-1']) assert.ok(failedIds.includes(id), `${id} must fail; failed: ${failedIds.join(', ')}`);
      assert.match(failed.find((r) => r.id === 'PT-3')!.detail, /Bravo GET alpha-only → 200 .*want 404.*body shows Alpha data/);
      const dir = join(ts.t.stateDir, 'matrix-red');
      writeMatrixEvidence(report, dir);
      assert.match(readFileSync(join(dir, 'matrix.md'), 'utf8'), /Result: \*\*RED\*\*/);
      assert.match(readFileSync(join(dir, 'matrix.junit.xml'), 'utf8'), /<failure message=/);
    } finally {
      await broken.close();
    }
  });
});
