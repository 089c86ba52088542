/**
 * The console's pages and assets carry a CSP without inline script, frame-ancestors 'none',
 * nosniff and a Referrer-Policy; the console's own HTML (source and build) has no inline script.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { send, startGatewayHarness, type GatewayHarness } from './support/harness.ts';

const root = join(import.meta.dirname, '..', '..');

function assertConsoleHeaders(headers: Record<string, string | string[] | undefined>, what: string): void {
  const csp = String(headers['content-security-policy'] ?? '');
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP ${csp}`);
  assert.match(csp, /script-src 'self'(;|$)/, `${what}: scripts from the origin only: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${what}: ${csp}`);
  assert.match(csp, /object-src 'none'/);
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.match(String(headers['referrer-policy']), /^(no-referrer|strict-origin-when-cross-origin|same-origin)$/, what);
}

/** Every <script> element of an HTML document loads from a `src`, with nothing inline. */
function inlineScripts(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (!/\bsrc\s*=/.test(m[1]) || m[2].trim() !== '') found.push(m[0].slice(0, 120));
  }
  if (/\son[a-z]+\s*=/i.test(html.replace(/<script[\s\S]*?<\/script>/gi, ''))) found.push('inline event handler attribute');
  if (/href\s*=\s*["']?\s*javascript:/i.test(html)) found.push('javascript: URL');
  return found;
}

describe('console security headers', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness();
  });
  after(async () => h.close());

  it('a console page (index.html fallback) carries the headers', async () => {
    const nav = await send(`${h.url}/auth/callback?code=x`, 'GET', [['Accept', 'text/html']]);
    assert.equal(nav.status, 200);
    assertConsoleHeaders(nav.headers, 'navigation');
    const index = await send(`${h.url}/index.html`, 'GET', []);
    assert.equal(index.status, 200);
    assertConsoleHeaders(index.headers, 'index.html');
  });

  it('a console asset carries the headers', async () => {
    const asset = await send(`${h.url}/assets/app.js`, 'GET', []);
    assert.equal(asset.status, 200);
    assertConsoleHeaders(asset.headers, 'asset');
  });

  it("the console's HTML has no inline script, so the CSP needs no 'unsafe-inline'", () => {
    assert.deepEqual(inlineScripts(readFileSync(join(root, 'web', 'index.html'), 'utf8')), []);
    const built = join(root, 'web', 'dist', 'index.html');
    if (existsSync(built)) assert.deepEqual(inlineScripts(readFileSync(built, 'utf8')), [], 'web/dist/index.html');
    assert.deepEqual(inlineScripts('<script>alert(1)</script>'), ['<script>alert(1)</script>'], 'the check itself finds inline script');
  });
});
