/**
 * The matrix runner's HTTP client: node:http, not fetch, because the spoof rows must send
 * what fetch refuses to — repeated headers, underscore and dot names, `Connection` lists.
 */
import http from 'node:http';
import https from 'node:https';

export interface RawRequest {
  method?: string;
  /** Header pairs in order; a name may repeat. */
  headers?: [string, string][];
  body?: string | Buffer;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

export function rawRequest(url: string, req: RawRequest = {}): Promise<RawResponse> {
  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https : http;
  // A raw header list gets no automatic Host header.
  const flat: string[] = ['host', target.host];
  for (const [k, v] of req.headers ?? []) flat.push(k, v);
  if (req.body !== undefined) flat.push('content-length', String(Buffer.byteLength(req.body)));
  return new Promise((resolve, reject) => {
    const r = lib.request(
      { protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method ?? 'GET', headers: flat, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    r.setTimeout(req.timeoutMs ?? 30_000, () => r.destroy(new Error(`${req.method ?? 'GET'} ${url}: no answer within ${req.timeoutMs ?? 30_000} ms`)));
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}
