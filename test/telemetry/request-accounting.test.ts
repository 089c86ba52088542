/**
 * Every request the gateway's data plane forwards is counted once it is answered, in
 * `tenantgate_http_requests_total` under its route prefix and status: with a body and
 * without, from one keep-alive connection and from several.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startGatewayHarness, type GatewayHarness } from '../gateway/support/harness.ts';

function countOf(text: string, route: string, method: string, status: string): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith('tenantgate_http_requests_total{')) continue;
    if (line.includes(`route="${route}"`) && line.includes(`method="${method}"`) && line.includes(`status="${status}"`)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

function send(url: string, agent: Agent, method: string, token: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = request(url, { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('request accounting on the data plane', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness();
  });
  after(async () => h?.close());

  it('counts each forwarded request once, with a body or without, on shared connections', async () => {
    const token = await h.minter.mint({ expiresIn: 600 });
    const metrics = async () => (await fetch(`${h.url}/metrics`)).text();
    const before = await metrics();
    const agent = new Agent({ keepAlive: true, maxSockets: 3 });
    const url = `${h.url}/api/v1/platform/context`;
    const statuses = await Promise.all([
      ...Array.from({ length: 12 }, () => send(url, agent, 'GET', token)),
      ...Array.from({ length: 9 }, (_, i) => send(url, agent, 'POST', token, JSON.stringify({ i }))),
    ]);
    agent.destroy();
    assert.deepEqual(new Set(statuses), new Set([200]));
    const now = await metrics();
    const route = '/api/v1/platform/';
    assert.equal(countOf(now, route, 'GET', '200') - countOf(before, route, 'GET', '200'), 12);
    assert.equal(countOf(now, route, 'POST', '200') - countOf(before, route, 'POST', '200'), 9);
  });
});
