/**
 * Bounded cardinality: request-supplied strings never become Prometheus labels or durable
 * counter keys unless they belong to a known set (grant types, registered clients, declared
 * routes, HTTP methods); the rest count as `other`. Hostile input leaves /metrics and
 * telemetry.daily_counters bounded.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startAuthorityStack, type AuthorityStack } from '../authority/authority-stack.ts';

async function metricsSize(base: string): Promise<{ size: number; text: string }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return { size: Buffer.byteLength(text), text };
}

async function post(base: string, form: URLSearchParams | string): Promise<number> {
  const res = await fetch(`${base}/connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  await res.arrayBuffer();
  return res.status;
}

describe('bounded metric and counter cardinality', () => {
  let s: AuthorityStack;
  before(async () => {
    // The brute-force lockout would answer most of these 429 before they reach the labels.
    s = await startAuthorityStack({ 'authority.bruteForce.maxFailures': 100_000, 'authority.bruteForce.maxFailuresPerAddress': 100_000 });
  });
  after(async () => s.stop());

  it('hostile grant types and client ids: /metrics stays under twice its size, no counter row carries them', async () => {
    // Warm every label combination an ordinary failure produces.
    await post(s.base, new URLSearchParams({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }));
    const before = await metricsSize(s.base);

    const hostileGrants = Array.from({ length: 5 }, (_, i) => `${i}`.repeat(1024 * 1024));
    for (const grant of hostileGrants) {
      const status = await post(s.base, new URLSearchParams({ grant_type: grant, client_id: 'tenantgate-admin', client_secret: s.credentials.clients['tenantgate-admin'].secret }));
      assert.ok(status >= 400 && status < 500, `status ${status}`);
    }
    const longClient = 'c'.repeat(200 * 1024);
    assert.equal(await post(s.base, new URLSearchParams({ grant_type: 'client_credentials', client_id: longClient, client_secret: 'x' })), 401);
    const randomClients = Array.from({ length: 200 }, () => `rnd-${randomUUID()}`);
    for (const id of randomClients) await post(s.base, new URLSearchParams({ grant_type: randomUUID(), client_id: id, client_secret: 'x' }));

    const afterwards = await metricsSize(s.base);
    assert.ok(afterwards.size < before.size * 2, `/metrics grew from ${before.size} to ${afterwards.size} bytes`);
    assert.ok(!afterwards.text.includes('rnd-'), 'no random client id in /metrics');
    // In a label value (quoted), not anywhere: a sample such as 0.30000000000000004 is no grant type.
    assert.ok(!/="(\d)\1{9}/.test(afterwards.text), 'no hostile grant type in /metrics');
    assert.match(afterwards.text, /tenantgate_authority_issuance_failures_total\{[^}]*grant="other"/);

    for (const c of s.stack.components) await c.ctx.counters.flush();
    const { rows } = await s.t.db.query(`select signal, alias, client, tenant, detail from telemetry.daily_counters`);
    const known = new Set(randomClients);
    for (const r of rows) {
      for (const v of [r.alias, r.client, r.tenant, r.detail]) {
        assert.ok(v.length <= 256, `a counter key of ${v.length} characters (${r.signal})`);
        assert.ok(!known.has(v), `random client id ${v} became a counter key`);
      }
    }
    assert.ok(rows.some((r: any) => r.signal === 'authority.issuance_failed' && r.client === 'other'), 'unknown clients count as other');
  });

  it('the method label is one of the methods the HTTP parser knows', async () => {
    const { METHODS } = await import('node:http');
    const { text } = await metricsSize(s.base);
    for (const m of text.matchAll(/method="([^"]*)"/g)) assert.ok(METHODS.includes(m[1]) || m[1] === 'other', m[1]);
  });
});
