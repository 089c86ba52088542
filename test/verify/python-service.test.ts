/**
 * The Python recipe of docs/services.md, for real: test/verify/python/identity_service.py
 * (stdlib http.server + Debian's python3-jwcrypto, no tenantgate code) verifies assertions
 * against the published key set. The assertions come from an AssertionSource: the local
 * issuer today, the gateway in front of the service once it signs them.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { ensureDebian } from '../support/debian.ts';
import { localAssertionSource, type AssertionSource, type ForwardedRequest } from './support/assertion-source.ts';
import { makeKey } from './support/local-issuer.ts';

const PYTHON = '/usr/bin/python3';
const SERVICE = join(import.meta.dirname, 'python', 'identity_service.py');

async function startService(source: AssertionSource): Promise<{ origin: string; child: ChildProcess }> {
  const child = spawn(PYTHON, [SERVICE, '--jwks', source.jwksUrl, '--issuer', source.issuer, '--audience', source.audience, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`unexpected output: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`identity_service.py exited ${code}: ${stderr.join('')}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, child };
}

describe('Python service with python3-jwcrypto', () => {
  let source: AssertionSource;
  let service: { origin: string; child: ChildProcess };

  before(async () => {
    ensureDebian({ pkg: 'python3', path: PYTHON }, { pkg: 'python3-jwcrypto', path: '/usr/lib/python3/dist-packages/jwcrypto' });
    source = await localAssertionSource('inventory');
    service = await startService(source);
  });
  after(async () => {
    service?.child.kill('SIGTERM');
    await source?.close();
  });

  async function send(request: ForwardedRequest): Promise<{ status: number; body: { code?: string; tenant?: string; subject?: string; clientId?: string; scopes?: string[] } }> {
    const res = await fetch(service.origin + request.url, { method: request.method, headers: request.headers });
    if (res.status !== 200) assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    return { status: res.status, body: (await res.json()) as never };
  }
  const refusedWith = async (request: ForwardedRequest, code: string) => {
    const { status, body } = await send(request);
    assert.equal(status, 401, `${code}: ${JSON.stringify(body)}`);
    assert.equal(body.code, code);
  };

  test('accepts the gateway-signed assertion and answers with the tenant', async () => {
    for (const [method, target] of [['GET', '/api/v1/things?x=1'], ['POST', '/api/v1/things'], ['DELETE', '/api/v1/things/42']]) {
      const { status, body } = await send(await source.forward(method, target));
      assert.equal(status, 200);
      assert.deepEqual(body, { tenant: 'tenant-alpha', subject: 'user-1', clientId: 'console', scopes: ['inventory:read', 'inventory:write'] });
    }
  });

  test('rejects a forged assertion (another key under the published kid, or an unpublished kid)', async () => {
    const local = source.local!;
    await refusedWith(await source.forward('GET', '/api/v1/things', { key: await makeKey(local.current.kid) }), 'bad_signature');
    await refusedWith(await source.forward('GET', '/api/v1/things', { key: await makeKey('forged') }), 'unknown_key');
  });

  test('rejects an assertion replayed to another path or with another method', async () => {
    const forwarded = await source.forward('GET', '/api/v1/things?x=1');
    await refusedWith({ ...forwarded, url: '/api/v1/things?x=2' }, 'wrong_target');
    await refusedWith({ ...forwarded, url: '/api/v1/admin' }, 'wrong_target');
    await refusedWith({ ...forwarded, method: 'DELETE' }, 'wrong_method');
  });

  test('rejects an assertion meant for another service, from another issuer, or expired', async () => {
    await refusedWith(await source.forward('GET', '/api/v1/things', { audience: 'billing' }), 'wrong_audience');
    await refusedWith(await source.forward('GET', '/api/v1/things', { issuer: 'https://other-gateway.example' }), 'wrong_issuer');
    await refusedWith(await source.forward('GET', '/api/v1/things', { iatOffset: -120, ttl: 30 }), 'expired');
    await refusedWith(await source.forward('GET', '/api/v1/things', { iatOffset: 120 }), 'not_yet_valid');
  });

  test('rejects a missing assertion, wrong typ, a disallowed alg, a bad tenant, a mismatching tenant header', async () => {
    const good = await source.forward('GET', '/api/v1/things');
    await refusedWith({ ...good, headers: { 'x-stellaops-tenant': 'tenant-alpha' } }, 'missing_assertion');
    await refusedWith(await source.forward('GET', '/api/v1/things', { header: { typ: 'JWT' } }), 'wrong_type');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const [, payload, signature] = good.headers['x-stellaops-identity'].split('.');
    const none = `${b64({ alg: 'none', kid: source.local!.current.kid, typ: 'identity+jwt' })}.${payload}.${signature}`;
    await refusedWith({ ...good, headers: { ...good.headers, 'x-stellaops-identity': none } }, 'algorithm_not_allowed');
    const lying = `${b64({ alg: 'ES256', kid: source.local!.current.kid, typ: 'identity+jwt' })}.${payload}.${signature}`;
    await refusedWith({ ...good, headers: { ...good.headers, 'x-stellaops-identity': lying } }, 'algorithm_not_allowed');
    await refusedWith(await source.forward('GET', '/api/v1/things', { tenant: 'Tenant-Alpha' }), 'invalid_tenant');
    await refusedWith({ ...good, headers: { ...good.headers, 'x-stellaops-tenant': 'tenant-bravo' } }, 'tenant_mismatch');
  });
});
