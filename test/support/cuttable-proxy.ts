/**
 * A TCP proxy in front of PostgreSQL that a test can cut, to stage the outages a database
 * has in production: `refuse` (the server is gone: new connections refused, open ones reset)
 * and `hang` (the server stops answering: connections accepted, nothing forwarded).
 */
import net from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'hang';

export interface CuttableProxy {
  port: number;
  /** Points the proxy at `url`'s host and port; answers the same URL through the proxy. */
  via(url: string): string;
  set(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export async function startCuttableProxy(): Promise<CuttableProxy> {
  let target: { host: string; port: number } | null = null;
  let mode: ProxyMode = 'pass';
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();
  let server = listen();
  let port = 0;

  function listen(p = 0): net.Server {
    const s = net.createServer((client) => {
      const pair = { client, upstream: null as net.Socket | null };
      pairs.add(pair);
      client.on('error', () => undefined);
      client.on('close', () => {
        pair.upstream?.destroy();
        pairs.delete(pair);
      });
      if (mode === 'hang' || !target) return; // accepted, never answered
      const upstream = net.connect(target.port, target.host);
      pair.upstream = upstream;
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    s.listen(p, '127.0.0.1');
    return s;
  }

  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as net.AddressInfo).port;

  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    port,
    via(url: string) {
      const u = new URL(url);
      target = { host: u.hostname, port: Number(u.port || 5432) };
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async set(next: ProxyMode) {
      if (next === mode) return;
      const was = mode;
      mode = next;
      if (next === 'refuse') {
        for (const p of pairs) p.client.destroy();
        await closeServer();
      } else if (next === 'hang') {
        // Open connections stop forwarding in both directions.
        for (const p of pairs) {
          p.client.unpipe();
          p.upstream?.unpipe();
          p.client.pause();
        }
      } else {
        for (const p of pairs) p.client.destroy(); // a recovered server starts with fresh connections
      }
      if (was === 'refuse') {
        server = listen(port);
        await new Promise<void>((resolve) => server.once('listening', resolve));
      }
    },
    async close() {
      for (const p of pairs) p.client.destroy();
      if (mode !== 'refuse') await closeServer();
    },
  };
}
