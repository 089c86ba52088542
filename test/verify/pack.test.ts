/**
 * `npm pack` of @tenantgate/verify installs into an empty project, and a service there — plain
 * Node, no tsx, nothing of tenantgate but the tarball — verifies a live gateway's assertions:
 * the gateway and Authority run with a route to it, the token comes from the Authority, and
 * every genuine request goes through the gateway. Replays go straight to the service.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import type { ForwardedRequest } from './support/assertion-source.ts';
import { startListening, startLiveGateway, type ListeningProcess, type LiveGateway } from './support/live-gateway.ts';

const root = join(import.meta.dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// npm and the scratch project must not inherit this test process's tsx loader.
const plainEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('npm_')));

// The scratch service: node:http and the installed package's middleware, nothing else.
const SERVICE_SCRIPT = `
import { createServer } from 'node:http';
import { withIdentity } from '@tenantgate/verify';
const [jwksUrl, issuer, audience] = process.argv.slice(2);
const server = createServer(withIdentity({ jwksUrl, issuer, audience }, (req, res, identity) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ tenant: identity.tenant, subject: identity.subject, clientId: identity.clientId, scopes: identity.scopes }));
}));
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

let live: LiveGateway;
let service: ListeningProcess | undefined;
let work: string;
let scratch: string;

before(async () => {
  work = mkdtempSync(join(process.env.TENANTGATE_TEST_TMP ?? tmpdir(), 'verify-pack-'));
  scratch = join(work, 'scratch');
  live = await startLiveGateway(['inventory', 'billing']);
});
after(async () => {
  await service?.stop();
  await live?.close();
  rmSync(work, { recursive: true, force: true });
});

async function direct(request: ForwardedRequest): Promise<{ status: number; body: { code?: string; tenant?: string } }> {
  const res = await fetch(service!.origin + request.url, { method: request.method, headers: request.headers });
  return { status: res.status, body: (await res.json()) as never };
}

test('npm pack → npm install in an empty project → a plain Node service verifies the live gateway’s assertions', async () => {
  execFileSync(npm, ['pack', '--workspace', 'packages/verify', '--pack-destination', work, '--silent'], { cwd: root, env: plainEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  assert.equal(tarballs.length, 1, `one tarball, got ${tarballs.join(', ')}`);
  const tarball = join(work, tarballs[0]);

  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.ok(listing.includes('package/dist/index.js') && listing.includes('package/dist/index.d.ts'), listing.join('\n'));
  assert.deepEqual(listing.filter((f) => !f.startsWith('package/dist/') && f !== 'package/package.json' && f !== 'package/README.md'), [], 'only dist/, package.json and the README are shipped');

  execFileSync('mkdir', ['-p', scratch]);
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-service', version: '1.0.0', private: true, type: 'module' }));
  writeFileSync(join(scratch, 'server.mjs'), SERVICE_SCRIPT);
  execFileSync(npm, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--silent'], { cwd: scratch, env: plainEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const installed = readdirSync(join(scratch, 'node_modules')).sort();
  assert.deepEqual(installed.filter((n) => !n.startsWith('.')), ['@tenantgate', 'jose'], 'jose is the only dependency');

  service = await startListening(process.execPath, ['server.mjs', live.jwksUrl, live.issuer, 'inventory'], { cwd: scratch, env: plainEnv });
  live.services.inventory.target = service.origin;
  live.services.billing.target = service.origin;
  const token = await live.token({ tenant: 'tenant-bravo' });

  // Genuine: through the gateway, with the Authority's token.
  const target = '/api/v1/inventory/things?x=1';
  const accepted = await live.send('GET', target, { token });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.deepEqual(accepted.body, { tenant: 'tenant-bravo', subject: 'scanner-bot', clientId: 'scanner-bot', scopes: String(decodeJwt(token).scope).split(' ') });
  const forwarded = live.services.inventory.received.at(-1)!;
  assert.equal(forwarded.url, target);

  // Another service's assertion: the gateway's billing route reaches this service too.
  const other = await live.send('GET', '/api/v1/billing/things', { token });
  assert.deepEqual([other.status, other.body.code], [401, 'wrong_audience']);

  // The genuine assertion replayed straight to the service.
  assert.equal((await direct(forwarded)).status, 200, 'the same request, within the assertion lifetime');
  assert.deepEqual(await direct({ ...forwarded, url: '/api/v1/inventory/other' }).then((r) => [r.status, r.body.code]), [401, 'wrong_target']);
  assert.deepEqual(await direct({ ...forwarded, method: 'PUT' }).then((r) => [r.status, r.body.code]), [401, 'wrong_method']);
  assert.deepEqual(await direct({ ...forwarded, headers: { ...forwarded.headers, 'x-stellaops-tenant': 'tenant-alpha' } }).then((r) => [r.status, r.body.code]), [401, 'tenant_mismatch']);
  assert.deepEqual(await direct({ ...forwarded, headers: { 'x-stellaops-tenant': 'tenant-bravo' } }).then((r) => [r.status, r.body.code]), [401, 'missing_assertion']);
});
