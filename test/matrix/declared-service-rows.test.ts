/**
 * The acceptance matrix probes every declared external service: a small foreign echo service
 * (`services.echo`, node:http, answering with every header it received) gets Alpha's identity
 * only — never Bravo's, whichever header names Bravo — and a service that serves another
 * tenant's record (`services.leaky`, answering "Bravo" data to anyone) turns its row red.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { defaultProfile } from '../../src/contract/profile.ts';
import { matrixServices } from '../../src/matrix/declared-services.ts';
import { runMatrix } from '../../src/matrix/run-matrix.ts';
import { serviceRows } from '../../src/matrix/service-rows.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

async function startUpstream(answer: (headers: IncomingHttpHeaders) => unknown): Promise<{ server: Server; url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(req.headers))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('matrix rows for declared services', () => {
  let ts: TestStack;
  let echo: Awaited<ReturnType<typeof startUpstream>>;
  let leaky: Awaited<ReturnType<typeof startUpstream>>;

  before(async () => {
    echo = await startUpstream((headers) => ({ headers }));
    leaky = await startUpstream(() => ({ items: [{ id: 'prod', name: 'Bravo Production' }] }));
    const route = (prefix: string, read: string) => [{ prefix, methodScopes: { GET: [read] }, scopes: [`${read.split(':')[0]}:write`] }];
    ts = await startTestStack({
      overrides: {
        services: {
          echo: { url: echo.url, routes: route('/api/v1/echo/', 'echo:read'), legacyHeaders: { accept: true, emit: true } },
          leaky: { url: leaky.url, routes: route('/api/v1/leaky/', 'leaky:read') },
        },
      },
    });
  });
  after(async () => {
    await ts?.stop();
    echo?.server.close();
    leaky?.server.close();
  });

  it('the configuration names both services with a probe path and its scopes', () => {
    assert.deepEqual(matrixServices(ts.config), [
      { name: 'echo', probe: '/api/v1/echo/', scopes: ['echo:read'] },
      { name: 'leaky', probe: '/api/v1/leaky/', scopes: ['leaky:read'] },
    ]);
  });

  it("the echo service sees Alpha's identity only; the leaky service's row is red", async () => {
    const services = matrixServices(ts.config);
    const report = await runMatrix({ gateway: ts.url('gateway'), clientId: 'tenantgate-admin', secret: ts.credentials.clients['tenantgate-admin'].secret, services, rows: serviceRows(services) });
    const byId = new Map(report.rows.map((r) => [r.id, r]));
    assert.deepEqual(report.rows.map((r) => r.id), ['SVC-1.1', 'SVC-1.2', 'SVC-1.3', 'SVC-1.4', 'SVC-2.1', 'SVC-2.2', 'SVC-2.3', 'SVC-2.4'], JSON.stringify(report.rows));
    for (const id of ['SVC-1.1', 'SVC-1.2', 'SVC-1.3', 'SVC-1.4']) assert.equal(byId.get(id)!.passed, true, `${id}: ${byId.get(id)!.detail}`);
    assert.equal(byId.get('SVC-2.1')!.passed, false, 'a service serving Bravo data to Alpha fails its row');
    assert.match(byId.get('SVC-2.1')!.detail, /body shows Bravo data/);

    const [alpha, bravo] = report.tenants;
    // The valid probe and the six spoofed identity headers pass (stripped); the two legacy aliases naming Bravo are refused before it.
    assert.equal(echo.seen.length, 1 + 6, `requests that reached the echo service: ${echo.seen.length}`);
    for (const headers of echo.seen) {
      assert.doesNotMatch(JSON.stringify(headers), new RegExp(bravo), "no header carried Bravo's tenant to the service");
      const assertion = headers['x-stellaops-identity'] as string;
      const claims = JSON.parse(Buffer.from(assertion.split('.')[1], 'base64url').toString('utf8'));
      assert.equal(claims[defaultProfile.selectedTenantClaim], alpha, JSON.stringify(claims));
    }
  });
});
