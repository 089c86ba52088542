/**
 * @tenantgate/verify's middleware, each in a real HTTP server: Connect-style (the shape
 * Express uses, driven by a minimal Connect-style dispatcher over node:http), Fastify, and
 * the bare node:http wrapper. Accepted → the handler sees the identity; refused → 401
 * problem+json with the code; the observer hook sees both.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { identityHook, identityMiddleware, identityOf, withIdentity, type ConnectNext, type VerificationEvent, type VerifiedIdentity } from '../../packages/verify/src/index.ts';
import { startLocalIssuer, type LocalIssuer } from './support/local-issuer.ts';

type Middleware = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: ConnectNext) => void;

/** The Connect contract: run each middleware in turn; next(err) skips to the error answer. */
function connectApp(stack: Middleware[]): Server {
  return createServer((req, res) => {
    let i = 0;
    const next: ConnectNext = (err) => {
      if (err) {
        res.writeHead(500).end(String(err));
        return;
      }
      const layer = stack[i++];
      if (layer) layer(req, res, next);
      else res.writeHead(404).end();
    };
    next();
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

function identityJson(res: ServerResponse, identity: VerifiedIdentity | undefined): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tenant: identity?.tenant, subject: identity?.subject, scopes: identity?.scopes }));
}

describe('middleware', () => {
  let issuer: LocalIssuer;
  const events: VerificationEvent[] = [];
  const servers: { name: string; origin: string; close(): Promise<void> }[] = [];

  before(async () => {
    issuer = await startLocalIssuer();
    const options = { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience, onVerification: (e: VerificationEvent) => events.push(e) };

    const connect = connectApp([
      identityMiddleware(options),
      (req, res) => {
        assert.equal((req as { identity?: VerifiedIdentity }).identity, identityOf(req));
        identityJson(res, identityOf(req));
      },
    ]);
    servers.push({ name: 'connect', origin: await listen(connect), close: () => closeServer(connect) });

    const bare = createServer(withIdentity(options, (_req, res, identity) => identityJson(res, identity)));
    servers.push({ name: 'node:http', origin: await listen(bare), close: () => closeServer(bare) });

    const fastify = Fastify();
    fastify.addHook('onRequest', identityHook(options));
    fastify.all('/*', async (request) => {
      const identity = identityOf(request);
      return { tenant: identity?.tenant, subject: identity?.subject, scopes: identity?.scopes };
    });
    servers.push({ name: 'fastify', origin: await fastify.listen({ port: 0, host: '127.0.0.1' }), close: () => fastify.close() });
  });
  after(async () => {
    for (const s of servers) await s.close();
    await issuer.close();
  });

  for (const name of ['connect', 'node:http', 'fastify']) {
    test(`${name}: accepts a valid assertion and exposes the identity`, async () => {
      const { origin } = servers.find((s) => s.name === name)!;
      const target = '/api/v1/things?x=1';
      const res = await fetch(origin + target, { method: 'POST', headers: await issuer.headers({ method: 'POST', target }) });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { tenant: 'tenant-alpha', subject: 'user-1', scopes: ['inventory:read', 'inventory:write'] });
      const seen = events.at(-1)!;
      assert.equal(seen.identity?.tenant, 'tenant-alpha');
      assert.equal(seen.url, target);
    });

    test(`${name}: refuses with 401 problem+json and the code`, async () => {
      const { origin } = servers.find((s) => s.name === name)!;
      const cases: [RequestInit, string, string][] = [
        [{}, '/api/v1/things', 'missing_assertion'],
        [{ headers: await issuer.headers({ method: 'GET', target: '/api/v1/other' }) }, '/api/v1/things', 'wrong_target'],
        [{ method: 'DELETE', headers: await issuer.headers({ method: 'GET', target: '/api/v1/things' }) }, '/api/v1/things', 'wrong_method'],
        [{ headers: await issuer.headers({ method: 'GET', target: '/api/v1/things', audience: 'billing' }) }, '/api/v1/things', 'wrong_audience'],
        [{ headers: { ...(await issuer.headers({ method: 'GET', target: '/api/v1/things' })), 'x-stellaops-tenant': 'tenant-bravo' } }, '/api/v1/things', 'tenant_mismatch'],
      ];
      for (const [init, target, code] of cases) {
        const res = await fetch(origin + target, init);
        assert.equal(res.status, 401, code);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const body = (await res.json()) as { code: string; status: number; type: string };
        assert.equal(body.code, code);
        assert.equal(body.status, 401);
        assert.equal(body.type, `https://tenantgate.dev/problems/${code}`);
        assert.equal(events.at(-1)!.error?.code, code);
      }
    });
  }

  test('connect: the target is the URL as received (originalUrl) below a mount point', async () => {
    const mounted = connectApp([
      (req, _res, next) => {
        req.originalUrl = req.url;
        req.url = req.url!.replace(/^\/inventory/, '') || '/';
        next();
      },
      identityMiddleware({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience }),
      (req, res) => identityJson(res, identityOf(req)),
    ]);
    const origin = await listen(mounted);
    try {
      const target = '/inventory/things?page=2';
      const res = await fetch(origin + target, { headers: await issuer.headers({ method: 'GET', target }) });
      assert.equal(res.status, 200);
    } finally {
      await closeServer(mounted);
    }
  });
});
