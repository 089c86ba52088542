/**
 * The published identity key set and its rotation, end to end: the gateway serves
 * /.well-known/identity-jwks.json from memory, `tenantgate keys rotate identity` runs while
 * a steady stream of requests goes through the gateway to the Platform module (which
 * verifies every assertion from the key set in PostgreSQL), and not one request is refused.
 * Then the replaced key's overlap passes and it is retired.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { createComponentContext } from '../../src/host/context.ts';
import type { RunningComponent } from '../../src/host/app.ts';
import { listIdentityKeys, rotateIdentityKey } from '../../src/identity/identity-keys.ts';
import { createIdentityVerifier } from '../../packages/verify/src/index.ts';
import { publicUrl } from '../../src/config/schema.ts';
import { startPlatform } from '../../src/modules/platform/component.ts';
import { startGatewayHarness, TEST_ID_HEADER, type GatewayHarness } from '../gateway/support/harness.ts';
import { freePort } from '../support/ports.ts';

const root = join(import.meta.dirname, '..', '..');
/** The publish lead the CLI rotates with here: longer than the test verifier's cooldown plus the key refresh. */
const LEAD_SECONDS = 6;
const VERIFIER_COOLDOWN_MS = 5_000;

describe('identity key set and rotation', () => {
  let h: GatewayHarness;
  let platform: RunningComponent;

  function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const t = h.t;
    const sets = [
      `database.url=${t.adminUrl}`,
      `database.runtimeUrl=${t.runtimeUrl}`,
      `secrets.keyEncryptionKey=${t.keyEncryptionKey}`,
      `database.dataDir=${join(t.stateDir, 'pg')}`,
      'gateway.identityKeyRefreshMs=200',
      `gateway.identityKeyPublishLeadSeconds=${LEAD_SECONDS}`,
    ];
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, ...sets.flatMap((s) => ['--set', s])], { cwd: root });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  const jwks = async (): Promise<{ body: JSONWebKeySet; cacheControl: string | null; type: string | null }> => {
    const res = await fetch(`${h.url}/.well-known/identity-jwks.json`);
    assert.equal(res.status, 200);
    return { body: (await res.json()) as JSONWebKeySet, cacheControl: res.headers.get('cache-control'), type: res.headers.get('content-type') };
  };

  /** The kid of the assertion the (echo) Scanner upstream receives. */
  const signingKid = async (): Promise<string> => {
    const token = await h.minter.mint();
    const id = `kid-${Math.random()}`;
    const res = await fetch(`${h.url}/api/v1/scans`, { headers: { authorization: `Bearer ${token}`, [TEST_ID_HEADER]: id } });
    await res.arrayBuffer();
    const record = h.echo.records.get(id)!;
    const i = record.rawHeaders.findIndex((n) => n.toLowerCase() === 'x-stellaops-identity');
    return decodeProtectedHeader(record.rawHeaders[i + 1]).kid as string;
  };

  before(async () => {
    const platformPort = await freePort();
    h = await startGatewayHarness({ platformUrl: `http://127.0.0.1:${platformPort}`, overrides: { 'gateway.identityKeyRefreshMs': 200, 'gateway.identityJwksMaxAgeSeconds': 5 } });
    const ctx = await createComponentContext({ name: 'platform', config: h.config, runtimeUrl: h.t.runtimeUrl, keyEncryptionKey: h.t.keyEncryptionKey });
    platform = await startPlatform(ctx, platformPort);
  });
  after(async () => {
    await platform?.close();
    await h?.close();
  });

  it('serves the key set from memory, cacheable, with the key the gateway signs with', async () => {
    const { body, cacheControl, type } = await jwks();
    assert.equal(cacheControl, 'public, max-age=5');
    assert.match(type ?? '', /^application\/jwk-set\+json/);
    assert.equal(body.keys.length, 1);
    const [key] = body.keys;
    assert.deepEqual([key.kty, key.crv, key.alg, key.use], ['OKP', 'Ed25519', 'EdDSA', 'sig']);
    assert.equal('d' in key, false, 'no private part');
    assert.equal(await signingKid(), key.kid);
  });

  it('keys rotate identity under load: every request answered 200, the old key verifying-only, then retired', async () => {
    const [old] = (await jwks()).body.keys;
    const token = await h.minter.mint();
    let stop = false;
    const statuses = new Map<number, number>();
    let sent = 0;
    const worker = async () => {
      while (!stop) {
        const res = await fetch(`${h.url}/api/v1/platform/context`, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        sent++;
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await sleep(500);
    const rotated = await cli('keys', 'rotate', 'identity');
    assert.equal(rotated.code, 0, rotated.stderr);
    const kid = /new identity key (\S+)/.exec(rotated.stdout)?.[1];
    assert.ok(kid, rotated.stdout);
    assert.match(rotated.stdout, new RegExp(`verifying-only until \\S+ \\(${LEAD_SECONDS} s lead \\+ \\d+ s overlap\\): ${old.kid}`));
    // Published within the key refresh, while the old key still signs.
    const publishedBy = Date.now() + 2_000;
    while (!(await jwks()).body.keys.some((k) => k.kid === kid)) {
      assert.ok(Date.now() < publishedBy, 'the new key was not published');
      await sleep(50);
    }
    const pending = (await listIdentityKeys(h.t.db)).find((k) => k.kid === kid)!;
    if (pending.signsFrom.getTime() - Date.now() > 300) {
      assert.equal(pending.state, 'published');
      assert.equal(await signingKid(), old.kid, 'no gateway signs with a key before its publish lead has passed');
    }
    // Then the gateways switch; keep the stream (and the outside verifier) running past it.
    const deadline = Date.now() + 15_000;
    while ((await signingKid()) !== kid) {
      assert.ok(Date.now() < deadline, 'the gateway never switched to the new key');
      await sleep(100);
    }
    await sleep(1_000);
    stop = true;
    await Promise.all(workers);
    assert.ok(sent > 50, `only ${sent} requests sent`);
    assert.deepEqual([...statuses], [[200, sent]], `statuses: ${JSON.stringify([...statuses])}`);

    const published = (await jwks()).body.keys.map((k) => k.kid).sort();
    assert.deepEqual(published, [kid, old.kid].sort(), 'the old key stays published through its overlap');
    const list = await cli('keys', 'list', 'identity');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${old.kid}\\s+EdDSA\\s+created \\S+\\s+verifying-only until \\S+`));
    assert.match(list.stdout, new RegExp(`${kid}\\s+EdDSA\\s+created \\S+\\s+active`));
    const overlap = (await listIdentityKeys(h.t.db)).find((k) => k.kid === old.kid)!;
    // At least 2 × (TTL 30 s + max-age 5 s + refresh 1 s).
    assert.ok(overlap.verifyUntil!.getTime() - Date.now() > 60_000);
  });

  it("an outside service's verifier that fetched the key set just before a rotation refuses nothing", async () => {
    // @tenantgate/verify inside its refetch cooldown cannot learn a new kid: it accepts the new
    // key only because the gateway publishes it a lead (longer than the cooldown) before signing.
    const verifier = createIdentityVerifier({ jwksUrl: `${h.url}/.well-known/identity-jwks.json`, issuer: publicUrl(h.config), audience: 'scanner', cooldownMs: VERIFIER_COOLDOWN_MS });
    const token = await h.minter.mint();
    const outcomes = new Map<string, number>();
    const verifyOutside = async (): Promise<string> => {
      const id = `outside-${Math.random()}`;
      const res = await fetch(`${h.url}/api/v1/scans`, { headers: { authorization: `Bearer ${token}`, [TEST_ID_HEADER]: id } });
      await res.arrayBuffer();
      const raw = h.echo.records.get(id)!.rawHeaders;
      const headers: Record<string, string> = {};
      for (let i = 0; i < raw.length; i += 2) headers[raw[i].toLowerCase()] = raw[i + 1];
      const outcome = await verifier.verify(headers, { method: 'GET', url: '/api/v1/scans' }).then(
        () => 'ok',
        (err: { code?: string }) => err.code ?? String(err),
      );
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      return decodeProtectedHeader(headers['x-stellaops-identity']).kid as string;
    };
    await verifyOutside();
    await verifier.keySet.reload();
    const rotation = await rotateIdentityKey(h.t.db, h.t.keyEncryptionKey, 'EdDSA', 120, LEAD_SECONDS);
    const deadline = Date.now() + LEAD_SECONDS * 1000 + 15_000;
    while ((await verifyOutside()) !== rotation.kid) {
      assert.ok(Date.now() < deadline, 'the gateway never switched to the new key');
      await sleep(100);
    }
    for (let i = 0; i < 5; i++) await verifyOutside();
    assert.deepEqual([...outcomes.keys()], ['ok'], `the outside verifier: ${JSON.stringify([...outcomes])}`);
  });

  it('once the overlap has passed the key is retired and leaves the key set', async () => {
    const before = (await jwks()).body.keys.map((k) => k.kid);
    const next = await rotateIdentityKey(h.t.db, h.t.keyEncryptionKey, 'ES256', 1);
    assert.deepEqual(next.replaced.sort(), (await listIdentityKeys(h.t.db)).filter((k) => k.state === 'verifying' && k.kid !== next.kid && before.includes(k.kid) && k.verifyUntil!.getTime() - Date.now() < 5_000).map((k) => k.kid).sort());
    const deadline = Date.now() + 10_000;
    for (;;) {
      const states = await listIdentityKeys(h.t.db);
      const retiredNow = next.replaced.every((kid) => states.find((k) => k.kid === kid)?.state === 'retired');
      if (retiredNow) break;
      assert.ok(Date.now() < deadline, 'no gateway retired the key');
      await sleep(200);
    }
    // Retired by the gateway's background refresh: the key set now holds only what still verifies.
    await sleep(400);
    const after = (await jwks()).body.keys;
    assert.ok(after.some((k) => k.kid === next.kid && k.alg === 'ES256' && k.crv === 'P-256'));
    for (const kid of next.replaced) assert.ok(!after.some((k) => k.kid === kid), `${kid} still published`);
    // ES256 assertions verify at the module too.
    while ((await signingKid()) !== next.kid) await sleep(100);
    const token = await h.minter.mint();
    const res = await fetch(`${h.url}/api/v1/platform/context`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, await res.text());
  });
});
