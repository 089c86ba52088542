/**
 * The Python recipe of docs/services.md, for real: test/verify/python/identity_service.py
 * (stdlib http.server + Debian's python3-jwcrypto, no tenantgate code) behind a running
 * gateway and Authority, verifying against the key set the gateway publishes. Genuine requests
 * go through the gateway with a token from the Authority; forged and replayed assertions are
 * sent straight to the service, as an attacker who bypassed the gateway would.
 *
 * The last describe keeps the refusals a working gateway never produces (expired, wrong typ,
 * alg none, a malformed tenant, …) against a local issuer that signs as the gateway does.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { createClient } from '../../src/authority/store/clients.ts';
import { rolloutStatus } from '../../src/rollout/operations/rollout-status.ts';
import { defaultPolicy } from '../../src/rollout/policy/default.ts';
import { formatStatus } from '../../src/rollout/text/format-status.ts';
import { deploymentFlags } from '../../src/flags/catalogue.ts';
import { ensureDebian } from '../support/debian.ts';
import { localAssertionSource, type AssertionSource, type ForwardedRequest } from './support/assertion-source.ts';
import { startListening, startLiveGateway, type ListeningProcess, type LiveGateway } from './support/live-gateway.ts';
import { makeKey } from './support/local-issuer.ts';

const PYTHON = '/usr/bin/python3';
const SERVICE = join(import.meta.dirname, 'python', 'identity_service.py');

function startService(jwksUrl: string, issuer: string, audience: string, extra: string[] = [], env?: NodeJS.ProcessEnv): Promise<ListeningProcess> {
  return startListening(PYTHON, [SERVICE, '--jwks', jwksUrl, '--issuer', issuer, '--audience', audience, '--port', '0', ...extra], env ? { env } : {});
}

interface Answer {
  status: number;
  body: { code?: string; tenant?: string; subject?: string; clientId?: string; scopes?: string[] };
}

async function sendDirect(origin: string, request: ForwardedRequest): Promise<Answer> {
  const res = await fetch(origin + request.url, { method: request.method, headers: request.headers });
  if (res.status !== 200) assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  return { status: res.status, body: (await res.json()) as never };
}

function assertRefused(answer: Answer, code: string): void {
  assert.equal(answer.status, 401, `${code}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.code, code);
}

before(() => {
  ensureDebian({ pkg: 'python3', path: PYTHON }, { pkg: 'python3-jwcrypto', path: '/usr/lib/python3/dist-packages/jwcrypto' });
});

describe('Python service with python3-jwcrypto behind a running gateway', () => {
  let live: LiveGateway;
  let service: ListeningProcess;
  let token: string;

  before(async () => {
    // `inventory` is the service; `billing` is another service's route, here reaching the same process.
    live = await startLiveGateway(['inventory', 'billing']);
    service = await startService(live.jwksUrl, live.issuer, 'inventory');
    live.services.inventory.target = service.origin;
    live.services.billing.target = service.origin;
    token = await live.token({ tenant: 'tenant-alpha' });
  });
  after(async () => {
    await service?.stop();
    await live?.close();
  });

  /** A genuine request through the gateway, and what the gateway forwarded for it. */
  async function genuine(method: string, path: string, headers: Record<string, string> = {}): Promise<{ answer: Answer; forwarded: ForwardedRequest }> {
    const recorder = live.services.inventory;
    const seen = recorder.received.length;
    const res = await live.send(method, path, { token, headers });
    assert.equal(recorder.received.length, seen + 1, 'the gateway forwarded the request once');
    return { answer: { status: res.status, body: res.body }, forwarded: recorder.received.at(-1)! };
  }

  test('accepts the requests the gateway forwards, with the token’s tenant, subject and scopes', async () => {
    const claims = decodeJwt(token);
    for (const [method, path] of [['GET', '/api/v1/inventory/things?x=1'], ['POST', '/api/v1/inventory/things'], ['DELETE', '/api/v1/inventory/things/42']]) {
      const { answer, forwarded } = await genuine(method, path);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, { tenant: 'tenant-alpha', subject: 'scanner-bot', clientId: 'scanner-bot', scopes: String(claims.scope).split(' ') });
      // What made it pass: the gateway's assertion, bound to this request and this service.
      const assertion = decodeJwt(forwarded.headers['x-stellaops-identity']);
      assert.deepEqual([assertion.aud, assertion.iss, assertion.htm, assertion.htu], ['inventory', live.issuer, method, path]);
      assert.equal(forwarded.headers['x-stellaops-tenant'], 'tenant-alpha');
    }
  });

  test('identity headers a client sends are not what the service sees', async () => {
    const forged = await new SignJWT({ sub: 'mallory' }).setProtectedHeader({ alg: 'EdDSA', typ: 'identity+jwt', kid: 'x' }).sign((await makeKey('x')).privateKey);
    const { answer, forwarded } = await genuine('GET', '/api/v1/inventory/things', { 'X-StellaOps-Identity': forged });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.subject, 'scanner-bot');
    assert.notEqual(forwarded.headers['x-stellaops-identity'], forged);
  });

  test('rejects a forged assertion sent straight to it: another key under the gateway’s kid, or a kid the gateway never published', async () => {
    const { forwarded } = await genuine('GET', '/api/v1/inventory/things');
    const real = forwarded.headers['x-stellaops-identity'];
    const { kid } = decodeProtectedHeader(real);
    assert.ok(kid);
    // The genuine claims, re-signed: only the key differs.
    const resign = async (forgedKid: string) =>
      new SignJWT(decodeJwt(real)).setProtectedHeader({ alg: 'EdDSA', kid: forgedKid, typ: 'identity+jwt' }).sign((await makeKey(forgedKid)).privateKey);
    // Sanity: the genuine assertion passes when sent straight to the service within its lifetime.
    assert.equal((await sendDirect(service.origin, forwarded)).status, 200);
    assertRefused(await sendDirect(service.origin, { ...forwarded, headers: { ...forwarded.headers, 'x-stellaops-identity': await resign(kid) } }), 'bad_signature');
    assertRefused(await sendDirect(service.origin, { ...forwarded, headers: { ...forwarded.headers, 'x-stellaops-identity': await resign('forged-kid') } }), 'unknown_key');
    // Identity headers without any assertion, as a caller bypassing the gateway would send them.
    assertRefused(await sendDirect(service.origin, { method: 'GET', url: '/api/v1/inventory/things', headers: { 'x-stellaops-tenant': 'tenant-alpha', 'x-stellaops-actor': 'mallory' } }), 'missing_assertion');
  });

  test('rejects a genuine assertion replayed to another path or with another method', async () => {
    const { forwarded } = await genuine('GET', '/api/v1/inventory/things?x=1');
    assertRefused(await sendDirect(service.origin, { ...forwarded, url: '/api/v1/inventory/things?x=2' }), 'wrong_target');
    assertRefused(await sendDirect(service.origin, { ...forwarded, url: '/api/v1/inventory/admin' }), 'wrong_target');
    assertRefused(await sendDirect(service.origin, { ...forwarded, method: 'DELETE' }), 'wrong_method');
  });

  test('rejects an assertion the gateway made for another service', async () => {
    // Through the gateway: the billing route's assertion says aud "billing".
    const recorder = live.services.billing;
    const res = await live.send('GET', '/api/v1/billing/things', { token });
    assert.equal(res.status, 401, JSON.stringify(res.body));
    assert.match(res.contentType, /^application\/problem\+json/);
    assert.equal(res.body.code, 'wrong_audience');
    const forwarded = recorder.received.at(-1)!;
    assert.equal(decodeJwt(forwarded.headers['x-stellaops-identity']).aud, 'billing');
    // Replayed straight to the service on its own path, it fails on the audience first.
    assertRefused(await sendDirect(service.origin, { ...forwarded, url: '/api/v1/inventory/things' }), 'wrong_audience');
  });
});

describe('Python service: refusals a working gateway never produces (local issuer)', () => {
  let source: AssertionSource;
  let service: ListeningProcess;

  before(async () => {
    source = await localAssertionSource('inventory');
    service = await startService(source.jwksUrl, source.issuer, source.audience);
  });
  after(async () => {
    await service?.stop();
    await source?.close();
  });

  const refusedWith = async (request: ForwardedRequest, code: string) => assertRefused(await sendDirect(service.origin, request), code);

  test('accepts the assertion the local issuer signs as the gateway does', async () => {
    const { status, body } = await sendDirect(service.origin, await source.forward('GET', '/api/v1/things?x=1'));
    assert.equal(status, 200);
    assert.deepEqual(body, { tenant: 'tenant-alpha', subject: 'user-1', clientId: 'console', scopes: ['inventory:read', 'inventory:write'] });
  });

  test('rejects an assertion from another issuer, expired, or not yet valid', async () => {
    await refusedWith(await source.forward('GET', '/api/v1/things', { issuer: 'https://other-gateway.example' }), 'wrong_issuer');
    await refusedWith(await source.forward('GET', '/api/v1/things', { iatOffset: -120, ttl: 30 }), 'expired');
    await refusedWith(await source.forward('GET', '/api/v1/things', { iatOffset: 120 }), 'not_yet_valid');
    await refusedWith(await source.forward('GET', '/api/v1/things', { ttl: 3_600 }), 'expired');
  });

  test('rejects wrong typ, a disallowed alg, a bad tenant, a mismatching tenant header, an aud list', async () => {
    const good = await source.forward('GET', '/api/v1/things');
    await refusedWith(await source.forward('GET', '/api/v1/things', { header: { typ: 'JWT' } }), 'wrong_type');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const [, payload, signature] = good.headers['x-stellaops-identity'].split('.');
    const none = `${b64({ alg: 'none', kid: source.local!.current.kid, typ: 'identity+jwt' })}.${payload}.`;
    await refusedWith({ ...good, headers: { ...good.headers, 'x-stellaops-identity': none } }, 'algorithm_not_allowed');
    const lying = `${b64({ alg: 'ES256', kid: source.local!.current.kid, typ: 'identity+jwt' })}.${payload}.${signature}`;
    await refusedWith({ ...good, headers: { ...good.headers, 'x-stellaops-identity': lying } }, 'algorithm_not_allowed');
    await refusedWith(await source.forward('GET', '/api/v1/things', { tenant: 'Tenant-Alpha' }), 'invalid_tenant');
    await refusedWith({ ...good, headers: { ...good.headers, 'x-stellaops-tenant': 'tenant-bravo' } }, 'tenant_mismatch');
    await refusedWith(await source.forward('GET', '/api/v1/things', { audience: ['inventory', 'billing'] as never }), 'wrong_audience');
  });
});

describe('a Python service still reading X-Tenant-Id: its legacy use reaches rollout status', () => {
  let live: LiveGateway;
  let service: ListeningProcess;

  before(async () => {
    // Declared with emit on: the gateway also writes X-Tenant-Id, which this service still reads.
    live = await startLiveGateway(['ledger'], { emitLegacyHeaders: true });
    const reporter = await createClient(live.stack.t.db, { clientId: 'ledger', grantTypes: ['client_credentials'], scopes: ['legacy:report'], tenants: 'tenant-alpha' }, 'test');
    service = await startService(live.jwksUrl, live.issuer, 'ledger', ['--legacy-alias', 'X-Tenant-Id', '--gateway', live.origin, '--report-client-id', 'ledger', '--report-interval', '0.3'], {
      ...process.env,
      REPORT_CLIENT_SECRET: reporter.clientSecret!,
    });
    live.services.ledger.target = service.origin;
  });
  after(async () => {
    await service?.stop();
    await live?.close();
  });

  test('the alias reads are counted, reported to the gateway and shown per service', async () => {
    const config = live.stack.config;
    const before = await rolloutStatus(live.stack.t.db, defaultPolicy, new Date(), deploymentFlags(config));
    assert.equal(before.serviceLegacyUse.find((u) => u.service === 'ledger')?.today ?? 0, 0);
    const token = await live.token({ tenant: 'tenant-alpha' });
    for (let i = 0; i < 3; i++) {
      const res = await live.send('GET', `/api/v1/ledger/entries?page=${i}`, { token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.tenantFrom, 'X-Tenant-Id', 'the service took the tenant from the alias');
    }
    const deadline = Date.now() + 15_000;
    for (;;) {
      const status = await rolloutStatus(live.stack.t.db, defaultPolicy, new Date(), deploymentFlags(config));
      const ledger = status.serviceLegacyUse.find((u) => u.service === 'ledger');
      if (ledger && ledger.today === 3) {
        assert.equal(ledger.kind, 'external');
        assert.match(formatStatus(status), /ledger\s+external\s+3 uses \(today 3\)/);
        break;
      }
      assert.ok(Date.now() < deadline, `the report never arrived: ${JSON.stringify(ledger)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
