/**
 * A draining gateway: a request that arrives on a kept-alive connection after shutdown began
 * is answered by the data plane itself, as problem+json `unavailable` like every other 503.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startGatewayHarness, type GatewayHarness } from './support/harness.ts';

describe('a gateway shutting down', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness();
  });
  after(async () => {
    await h.close();
  });

  it('finishes the proxied request in flight; one pipelined behind it gets 503 problem+json with Retry-After, and the connection closes', async () => {
    const token = await h.minter.mint();
    const socket = connect(h.gateway.port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d));
    const ended = new Promise<void>((r) => socket.once('close', () => r()));
    const request = (path: string) => `GET ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\n\r\n`;
    // The echo upstream holds this answer for 800 ms, so the connection is busy when the close begins.
    socket.write(request('/api/v1/platform/context?delayMs=800'));
    await new Promise((r) => setTimeout(r, 200));
    const closing = h.gateway.close();
    await new Promise((r) => setTimeout(r, 100));
    socket.write(request('/api/v1/platform/context'));
    await ended;
    await closing;
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 2, received);
    assert.match(answers[0], /^HTTP\/1\.1 200 /);
    assert.match(answers[0], /"echoed":true/);
    assert.match(answers[1], /^HTTP\/1\.1 503 /);
    assert.match(answers[1], /content-type: application\/problem\+json/i);
    assert.match(answers[1], /retry-after: \d+/i);
    assert.match(answers[1], /connection: close/i);
    const body = JSON.parse(answers[1].slice(answers[1].indexOf('\r\n\r\n') + 4));
    assert.equal(body.code, 'unavailable');
    assert.equal(body.status, 503);
    assert.match(body.detail, /shutting down/);
  });
});
