/**
 * Webhook collision routing: two tenants register the same sourceName; each delivery goes
 * to exactly the tenant whose secret verifies it, never to two, never to a guess.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { deliveryHeaders, type DeliveryStamp } from '../../../src/modules/scanner/webhooks/signature.ts';
import { ALPHA, BRAVO, digest, startScannerHarness, type ScannerHarness } from './harness.ts';

const ALPHA_SECRET = 'alpha-secret-0123456789';
const BRAVO_SECRET = 'bravo-secret-9876543210';

describe('webhooks: one sourceName, two tenants', () => {
  let h: ScannerHarness;
  const stamp = (at = Date.now()): DeliveryStamp => ({ id: randomUUID(), timestamp: Math.floor(at / 1000) });
  const deliverAs = (path: string, body: string, headers: Record<string, string>, requestId?: string) =>
    h.call('POST', path, { tenant: null, unsigned: true, rawBody: body, headers: requestId ? { ...headers, 'x-request-id': requestId } : headers });
  // The stamp of the last signPayload: `deliver` sends it beside the signature.
  let last = stamp();
  const signPayload = (secret: string, body: string) => {
    last = stamp();
    return deliveryHeaders(secret, last, body)['X-Hub-Signature-256'];
  };
  const deliver = (path: string, body: string, signature?: string) =>
    deliverAs(path, body, signature === undefined ? {} : { 'X-Hub-Signature-256': signature, 'Webhook-Id': last.id, 'Webhook-Timestamp': String(last.timestamp) });
  const event = (name: string) => JSON.stringify({ imageDigest: digest(name), imageName: `registry.example/${name}` });
  const scansOf = async (tenant: string) => (await h.call('GET', '/api/v1/scans', { tenant })).body.items as any[];

  before(async () => {
    h = await startScannerHarness();
    for (const [tenant, secret] of [
      [ALPHA, ALPHA_SECRET],
      [BRAVO, BRAVO_SECRET],
    ]) {
      const res = await h.call('POST', '/api/v1/webhooks/sources', { tenant, body: { provider: 'github', sourceName: 'shared-repo', secret } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.secret, undefined);
    }
    const only = await h.call('POST', '/api/v1/webhooks/sources', { tenant: ALPHA, body: { provider: 'github', sourceName: 'alpha-only', secret: ALPHA_SECRET } });
    assert.equal(only.status, 201);
  });
  after(async () => h?.close());

  it("each tenant's secret reaches only that tenant", async () => {
    const body = event('alpha-app');
    const a = await deliver('/api/v1/webhooks/github/shared-repo', body, signPayload(ALPHA_SECRET, body));
    assert.equal(a.status, 202, JSON.stringify(a.body));
    assert.equal(a.body.scanId, 'scan-0001');
    assert.deepEqual((await scansOf(ALPHA)).map((s) => [s.id, s.imageName, s.source]), [['scan-0001', 'registry.example/alpha-app', 'webhook:github/shared-repo']]);
    assert.deepEqual(await scansOf(BRAVO), []);

    const bodyB = event('bravo-app');
    const b = await deliver('/api/v1/webhooks/github/shared-repo', bodyB, signPayload(BRAVO_SECRET, bodyB));
    assert.equal(b.status, 202);
    assert.deepEqual((await scansOf(BRAVO)).map((s) => s.imageName), ['registry.example/bravo-app']);
    assert.equal((await scansOf(ALPHA)).length, 1, 'nothing more arrived at alpha');
  });

  it('an unverifiable delivery gets byte-identical answers whether no, one or two tenants registered the name', async () => {
    const body = event('probe');
    const probes: [string, Record<string, string>][] = [
      ['unsigned', {}],
      ['wrong secret', deliveryHeaders('a-guessed-secret-value', stamp(), body)],
      ['stale', deliveryHeaders(ALPHA_SECRET, stamp(Date.now() - 3600_000), body)],
      ['signature without id', { 'X-Hub-Signature-256': signPayload(ALPHA_SECRET, body) }],
    ];
    for (const [what, headers] of probes) {
      const answers: string[] = [];
      for (const name of ['shared-repo', 'alpha-only', 'nobody-registered-this']) {
        const res = await fetch(`${h.scanner.url}/api/v1/webhooks/github/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': 'probe-request-0001', ...headers },
          body,
        });
        answers.push(`${res.status} ${res.headers.get('content-type')} ${await res.text()}`);
      }
      assert.match(answers[0], /^401 /, what);
      assert.equal(answers[1], answers[0], `${what}: one registration vs two`);
      assert.equal(answers[2], answers[0], `${what}: no registration vs two`);
    }
  });

  it('the same signed delivery three times is dispatched once; the repeats → 409 conflict', async () => {
    const before = (await scansOf(ALPHA)).length;
    const body = event('replayed');
    const headers = deliveryHeaders(ALPHA_SECRET, stamp(), body);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await deliverAs('/api/v1/webhooks/github/alpha-only', body, headers));
    assert.deepEqual(answers.map((a) => a.status), [202, 409, 409], JSON.stringify(answers.map((a) => a.body)));
    assert.equal(answers[1].body.code, 'conflict');
    assert.equal((await scansOf(ALPHA)).length, before + 1);
    // The id is per source: another source may use the same delivery id.
    const elsewhere = await deliverAs('/api/v1/webhooks/github/shared-repo', body, { ...deliveryHeaders(ALPHA_SECRET, { id: headers['Webhook-Id'], timestamp: Number(headers['Webhook-Timestamp']) }, body) });
    assert.equal(elsewhere.status, 202);
  });

  it('a timestamp outside the 5-minute window, or an altered id or timestamp, is refused', async () => {
    const before = (await scansOf(ALPHA)).length;
    const body = event('late');
    const old = await deliverAs('/api/v1/webhooks/github/alpha-only', body, deliveryHeaders(ALPHA_SECRET, stamp(Date.now() - 6 * 60_000), body));
    assert.equal(old.status, 401);
    assert.equal(old.body.code, 'unauthorized');
    const future = await deliverAs('/api/v1/webhooks/github/alpha-only', body, deliveryHeaders(ALPHA_SECRET, stamp(Date.now() + 6 * 60_000), body));
    assert.equal(future.status, 401);
    const headers = deliveryHeaders(ALPHA_SECRET, stamp(), body);
    const reId = await deliverAs('/api/v1/webhooks/github/alpha-only', body, { ...headers, 'Webhook-Id': 'another-id' });
    assert.equal(reId.status, 401);
    const reTime = await deliverAs('/api/v1/webhooks/github/alpha-only', body, { ...headers, 'Webhook-Timestamp': String(Number(headers['Webhook-Timestamp']) + 1) });
    assert.equal(reTime.status, 401);
    assert.equal((await scansOf(ALPHA)).length, before);
  });

  it('delivery ids are pruned once their timestamp has left the window', async () => {
    await h.t.db.withTenant(ALPHA, (c) =>
      c.query("insert into scanner.webhook_deliveries (tenant_id, provider, source_name, delivery_id, expires_at) values ($1, 'github', 'alpha-only', 'long-gone', now() - interval '1 minute')", [ALPHA]),
    );
    const body = event('pruning');
    assert.equal((await deliverAs('/api/v1/webhooks/github/alpha-only', body, deliveryHeaders(ALPHA_SECRET, stamp(), body))).status, 202);
    const { rows } = await h.t.db.withTenant(ALPHA, (c) => c.query("select count(*)::int as n from scanner.webhook_deliveries where delivery_id = 'long-gone'"));
    assert.equal(rows[0].n, 0);
  });

  it('bad, malformed or replayed-on-changed-body signatures → 401, nothing dispatched', async () => {
    const before = [(await scansOf(ALPHA)).length, (await scansOf(BRAVO)).length];
    const body = event('evil');
    for (const signature of [signPayload('some-other-secret-value', body), 'sha256=zz', 'sha1=abc', signPayload(ALPHA_SECRET, body + ' ')]) {
      const res = await deliver('/api/v1/webhooks/github/shared-repo', body, signature);
      assert.equal(res.status, 401, signature);
      assert.equal(res.body.code, 'unauthorized');
    }
    const unknownSource = await deliver('/api/v1/webhooks/github/nobody', body, signPayload(ALPHA_SECRET, body));
    assert.equal(unknownSource.status, 401);
    const otherProvider = await deliver('/api/v1/webhooks/gitlab/shared-repo', body, signPayload(ALPHA_SECRET, body));
    assert.equal(otherProvider.status, 401);
    assert.deepEqual([(await scansOf(ALPHA)).length, (await scansOf(BRAVO)).length], before);
  });

  it('a verified delivery with a bad payload → 400 validation_failed', async () => {
    const body = JSON.stringify({ imageDigest: 'latest' });
    const res = await deliver('/api/v1/webhooks/github/alpha-only', body, signPayload(ALPHA_SECRET, body));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'validation_failed');
  });

  it('two tenants with the same secret on one name: refused as ambiguous, dispatched to neither', async () => {
    for (const tenant of [ALPHA, BRAVO]) {
      await h.call('POST', '/api/v1/webhooks/sources', { tenant, body: { provider: 'generic', sourceName: 'copy-paste', secret: 'the-very-same-secret' } });
    }
    const before = [(await scansOf(ALPHA)).length, (await scansOf(BRAVO)).length];
    const body = event('ambiguous');
    const res = await deliver('/api/v1/webhooks/generic/copy-paste', body, signPayload('the-very-same-secret', body));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'tenant_missing');
    assert.deepEqual([(await scansOf(ALPHA)).length, (await scansOf(BRAVO)).length], before);
  });

  it('sources are listed per tenant without secrets; re-registering rotates the secret', async () => {
    const list = await h.call('GET', '/api/v1/webhooks/sources', { tenant: BRAVO });
    assert.deepEqual(list.body.items.map((s: any) => `${s.provider}/${s.sourceName}`), ['generic/copy-paste', 'github/shared-repo']);
    assert.ok(list.body.items.every((s: any) => !('secret' in s) && !('secretSealed' in s)));
    const rotated = await h.call('POST', '/api/v1/webhooks/sources', { tenant: ALPHA, body: { provider: 'github', sourceName: 'alpha-only', secret: 'rotated-secret-abcdefgh' } });
    assert.equal(rotated.status, 200);
    assert.ok(rotated.body.rotatedAt);
    const body = event('after-rotation');
    assert.equal((await deliver('/api/v1/webhooks/github/alpha-only', body, signPayload(ALPHA_SECRET, body))).status, 401);
    assert.equal((await deliver('/api/v1/webhooks/github/alpha-only', body, signPayload('rotated-secret-abcdefgh', body))).status, 202);
  });

  it('secrets are sealed at rest, and the runtime role cannot forge a route', async () => {
    const admin = new pg.Client({ connectionString: h.t.adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query('select secret_sealed from scanner.webhook_sources');
      assert.ok(rows.length >= 4);
      for (const r of rows) {
        assert.match(r.secret_sealed, /^v1\./);
        assert.ok(![ALPHA_SECRET, BRAVO_SECRET].some((s) => r.secret_sealed.includes(s)));
      }
    } finally {
      await admin.end();
    }
    await assert.rejects(h.t.db.query("insert into scanner.webhook_routes values ('github', 'shared-repo', 'tenant-charlie')"), /permission denied/);
    await assert.rejects(h.t.db.query("delete from scanner.webhook_routes where tenant_id = 'tenant-alpha'"), /permission denied/);
    // A tenant-scoped session sees only its own sources, even without a filter.
    const { rows } = await h.t.db.withTenant(BRAVO, (c) => c.query('select distinct tenant_id from scanner.webhook_sources'));
    assert.deepEqual(rows, [{ tenant_id: BRAVO }]);
  });
});
