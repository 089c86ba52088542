/**
 * The console SPA behind the gateway: files from `gateway.consoleDir` (web/dist), and
 * index.html for any other browser navigation (GET accepting text/html), so client-side
 * routes such as /auth/callback load the app.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/**
 * Sent with every console page and asset. The built console loads one module script and one
 * stylesheet from its own origin and has no inline script (test/gateway/console-headers.test.ts
 * checks the build), so scripts come from 'self' only; it calls the API and the Authority on the
 * same origin. React sets styles through the DOM, which CSP does not restrict.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

/** Registers the file sender when the console is built; returns its root, or null. */
export async function registerConsole(app: FastifyInstance, consoleDir: string): Promise<string | null> {
  const root = resolve(consoleDir);
  if (!existsSync(resolve(root, 'index.html'))) return null;
  await app.register(fastifyStatic, { root, serve: false });
  return root;
}

export function serveConsole(root: string, req: FastifyRequest, reply: FastifyReply, path: string): FastifyReply | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const file = resolve(root, '.' + decoded);
  if ((file === root || file.startsWith(root + sep)) && file !== root && isFile(file)) return reply.headers(CONSOLE_SECURITY_HEADERS).sendFile(file.slice(root.length + 1));
  const accept = req.headers.accept ?? '';
  if (accept.includes('text/html')) return reply.headers(CONSOLE_SECURITY_HEADERS).header('cache-control', 'no-cache').sendFile('index.html');
  return null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
