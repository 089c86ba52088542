/**
 * `Expect: 100-continue` through the gateway: the client gets its 100, sends the body, and
 * the final answer is the upstream's (the expectation is hop-by-hop: the gateway answers it
 * and the upstream receives a plain request with the whole body).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startGatewayHarness, TEST_ID_HEADER, type GatewayHarness } from './support/harness.ts';

function postExpectingContinue(url: string, headers: Record<string, string>, body: string): Promise<{ continued: boolean; status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request(url, { method: 'POST', headers: { ...headers, expect: '100-continue', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ continued, status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('gateway: Expect: 100-continue', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness();
  });
  after(async () => h?.close());

  it('a protected POST with Expect: 100-continue gets 100, then the upstream answer with the body forwarded', async () => {
    const id = randomUUID();
    const body = JSON.stringify({ imageDigest: `sha256:${'a'.repeat(64)}` });
    const token = await h.minter.mint();
    const res = await postExpectingContinue(`${h.url}/api/v1/scans`, { authorization: `Bearer ${token}`, [TEST_ID_HEADER]: id }, body);
    assert.equal(res.continued, true);
    assert.equal(res.status, 200, res.text);
    const seen = h.echo.records.get(id);
    assert.ok(seen, 'the upstream received the request');
    assert.equal(seen.body, body);
    assert.ok(!seen.rawHeaders.some((n, i) => i % 2 === 0 && n.toLowerCase() === 'expect'), 'the expectation is not forwarded');
  });

  it('a public POST (the token endpoint) with Expect: 100-continue', async () => {
    const res = await postExpectingContinue(`${h.url}/connect/token`, {}, '{}');
    assert.equal(res.continued, true);
    assert.equal(res.status, 200, res.text);
  });
});
