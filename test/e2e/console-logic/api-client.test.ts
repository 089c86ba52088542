/** The console's one HTTP client against a real HTTP server that records what it receives. */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { defaultProfile } from '../../../src/contract/profile.ts';
import { ApiClient } from '../../../web/src/api/client.ts';
import { ApiError, StaleResponseError } from '../../../web/src/api/errors.ts';
import { ConsoleSession } from '../../../web/src/auth/session.ts';
import type { TokenSet } from '../../../web/src/auth/token-set.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let base = '';
const seen: Seen[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/slow') {
        setTimeout(() => res.end('{"late":true}'), 2_000).unref();
        return;
      }
      if (req.url === '/missing') {
        res.writeHead(404, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'x', title: 'Not found', status: 404, detail: 'scan scan-0042 not found', code: 'not_found', traceId: 't-1' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, url: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function tokens(tenant: string): TokenSet {
  return { accessToken: `token-for-${tenant}`, refreshToken: 'r', expiresAt: Date.now() + 600_000, scopes: [], tenant };
}

function clientFor(session: ConsoleSession, onFetch?: () => void): ApiClient {
  return new ApiClient(session, {
    fetch: async (input, init) => {
      const response = await fetch(`${base}${String(input)}`, init);
      onFetch?.();
      return response;
    },
  });
}

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('never arrived');
}

const canonical = defaultProfile.canonicalTenantHeader.toLowerCase();

test('every request carries the bearer token and the canonical tenant header of the session', async () => {
  const session = new ConsoleSession();
  session.commit(tokens('tenant-alpha'), 'tenant-alpha');
  const answer = await clientFor(session).get<{ ok: boolean }>('/api/v1/scans');
  assert.equal(answer.ok, true);
  const request = seen.find((s) => s.url === '/api/v1/scans')!;
  assert.equal(request.headers.authorization, 'Bearer token-for-tenant-alpha');
  assert.equal(request.headers[canonical], 'tenant-alpha');
  for (const alias of defaultProfile.legacyTenantHeaders) assert.equal(request.headers[alias.toLowerCase()], undefined);
});

test('a legacy alias set by code is stripped, never sent, and reported to /console/telemetry', async () => {
  const session = new ConsoleSession();
  session.commit(tokens('tenant-alpha'), 'tenant-alpha');
  await clientFor(session).get('/api/v1/triage/findings', {
    headers: { 'X-Tenant-Id': 'tenant-bravo', x_stella_tenant: 'tenant-bravo', [defaultProfile.canonicalTenantHeader]: 'tenant-bravo', 'x-trace': 'kept' },
  });
  const request = seen.find((s) => s.url === '/api/v1/triage/findings')!;
  assert.equal(request.headers[canonical], 'tenant-alpha', 'the session tenant wins over a header set by code');
  assert.equal(request.headers['x-tenant-id'], undefined);
  assert.equal(request.headers['x-stella-tenant'], undefined);
  assert.equal(request.headers['x_stella_tenant'], undefined);
  assert.equal(request.headers['x-trace'], 'kept');
  const report = await waitFor(() => seen.find((s) => s.url === '/console/telemetry' && s.body.includes('legacy_header')));
  assert.equal(report.method, 'POST');
  assert.equal(report.headers[canonical], 'tenant-alpha');
  assert.deepEqual(JSON.parse(report.body), {
    events: [
      { kind: 'legacy_header', alias: 'X-Tenant-Id' },
      { kind: 'legacy_header', alias: 'X-Stella-Tenant' },
    ],
  });
});

test('a tenant switch aborts requests still in flight for the old tenant', async () => {
  const session = new ConsoleSession();
  session.commit(tokens('tenant-alpha'), 'tenant-alpha');
  const pending = clientFor(session).get('/slow');
  await waitFor(() => seen.find((s) => s.url === '/slow'));
  session.commit(tokens('tenant-bravo'), 'tenant-bravo');
  await assert.rejects(pending, (err: Error) => err.name === 'AbortError');
});

test('an answer that arrives after the switch is discarded as stale', async () => {
  const session = new ConsoleSession();
  session.commit(tokens('tenant-alpha'), 'tenant-alpha');
  // The switch lands between the response headers and the caller seeing the answer.
  const client = clientFor(session, () => session.commit(tokens('tenant-bravo'), 'tenant-bravo'));
  await assert.rejects(client.get('/api/v1/platform/context'), StaleResponseError);
});

test('silent refresh for the same tenant keeps in-flight requests valid', async () => {
  const session = new ConsoleSession();
  session.commit(tokens('tenant-alpha'), 'tenant-alpha');
  const client = clientFor(session, () => session.replaceTokens({ ...tokens('tenant-alpha'), accessToken: 'refreshed' }));
  assert.deepEqual(await client.get('/api/v1/unknowns'), { ok: true, url: '/api/v1/unknowns' });
});

test('problem+json answers become ApiError with the contract code', async () => {
  const session = new ConsoleSession();
  session.commit(tokens('tenant-alpha'), 'tenant-alpha');
  await assert.rejects(clientFor(session).get('/missing'), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'not_found');
    assert.equal(err.message, 'scan scan-0042 not found');
    return true;
  });
});

test('without a session nothing is sent', async () => {
  const before = seen.length;
  await assert.rejects(clientFor(new ConsoleSession()).get('/api/v1/scans'), (err: unknown) => err instanceof ApiError && err.status === 401);
  assert.equal(seen.length, before);
});
