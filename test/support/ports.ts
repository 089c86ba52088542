/** Finds a base port N such that N..N+4 are all free on loopback (one stack per test file). */
import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freeBasePort(span = 5): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    // Below Linux's ephemeral range (32768+), where outgoing connections could take a port between check and listen.
    const base = 20_000 + Math.floor(Math.random() * 2_500) * 5;
    let ok = true;
    for (let i = 0; i < span && ok; i++) ok = await isFree(base + i);
    if (ok) return base;
  }
  throw new Error('no free run of ports found');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
