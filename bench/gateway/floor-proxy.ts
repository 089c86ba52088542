/**
 * Case (h) of bench/gateway.ts: the floor of the gateway's data plane in Node. A `node:http`
 * server whose every request goes straight to the gateway's own forwarding stage (forward.ts:
 * the upstream client, the streaming relay), with the client's headers passed on less the
 * hop-by-hop ones — no route table, no token, no classification, no decision, no rewrite, no
 * telemetry. The gateway (c) can come no closer to nginx than this does: c/h is what the
 * policy and the host cost, h/e what Node's HTTP server and the forwarding cost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Upstreams } from '../../src/gateway/forward.ts';

const DROPPED = new Set(['connection', 'keep-alive', 'host']);

export async function startFloorProxy(upstream: string): Promise<{ url: string; server: Server }> {
  const origin = new URL(upstream).origin;
  const host = new URL(upstream).host;
  const upstreams = new Upstreams({ timeoutMs: 30_000 });
  let n = 0;
  const server = createServer((req, res) => {
    const headers = ['host', host];
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) if (!DROPPED.has(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1]);
    upstreams.forward({ req, res, origin, method: req.method ?? 'GET', target: req.url ?? '/', headers, requestId: String(++n) }, (outcome) => {
      if (outcome.status === 0) {
        res.statusCode = 502;
        res.end();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
