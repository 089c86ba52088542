/**
 * Case (i) of bench/gateway.ts: how far a Node data plane could go without `node:http`'s
 * server. A `node:net` server reading requests with Node's own HTTP parser (llhttp, the native
 * binding `node:http` uses) and forwarding them through the gateway's upstream client
 * (upstream-h1.ts), each answer written to the client socket as one latin1 string: no
 * IncomingMessage, no ServerResponse, no stream machinery on the client side.
 *
 * It is a measuring stick, not a server: bodyless requests only (anything else is refused with
 * 501 and the connection closed), no pipelining, no timeouts, no Date header. The distance from
 * (h) to (i) is what Node's HTTP server costs per request; (i) against nginx is the ceiling of
 * a data plane built on Node's event loop, its parser and this upstream client.
 */
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { H1Pool, type H1Handler } from '../../src/gateway/upstream-h1.ts';

interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  close(): void;
  [key: number]: unknown;
}
const { HTTPParser, methods } = createRequire(import.meta.url)('_http_common') as {
  HTTPParser: { new (): NativeParser; REQUEST: number; kOnHeadersComplete: number; kOnMessageComplete: number };
  methods: string[];
};

const DROPPED = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** Writes the upstream's answer to the client in one write once it is complete. */
class WholeAnswer implements H1Handler {
  private status = 0;
  private head = '';
  private chunks: Buffer[] = [];

  constructor(private readonly socket: Socket) {}

  onConnect(): void {}

  onHeaders(status: number, raw: string[]): boolean {
    this.status = status;
    for (let i = 0; i < raw.length; i += 2) if (!DROPPED.has(raw[i].toLowerCase())) this.head += `${raw[i]}: ${raw[i + 1]}\r\n`;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.socket.write(`HTTP/1.1 ${this.status} -\r\n${this.head}content-length: ${body.length}\r\n\r\n${body.toString('latin1')}`, 'latin1');
  }

  onError(): void {
    if (!this.socket.destroyed) this.socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  }
}

export async function startRawFloor(upstream: string): Promise<{ url: string }> {
  const origin = new URL(upstream);
  const pool = new H1Pool(origin.origin, { connections: 256, timeoutMs: 30_000, connectTimeoutMs: 10_000, keepAliveTimeoutMs: 30_000 });
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const parser = new HTTPParser();
    parser.initialize(HTTPParser.REQUEST, {}, 0, 0);
    parser[HTTPParser.kOnHeadersComplete] = (_major: number, _minor: number, raw: string[], method: number, url: string) => {
      const headers = ['host', origin.host];
      let body = false;
      for (let i = 0; i < raw.length; i += 2) {
        const lower = raw[i].toLowerCase();
        if (lower === 'transfer-encoding' || (lower === 'content-length' && raw[i + 1] !== '0')) body = true;
        if (!DROPPED.has(lower)) headers.push(raw[i], raw[i + 1]);
      }
      if (body) {
        socket.end('HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        return 0;
      }
      pool.dispatch({ method: methods[method], path: url, headers, body: null }, new WholeAnswer(socket));
      return 0;
    };
    socket.on('data', (data: Buffer) => {
      if (parser.execute(data) instanceof Error) socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => parser.close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
