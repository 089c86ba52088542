/**
 * `npm pack` of @tenantgate/verify installs into an empty project and verifies there, in plain
 * Node without tsx. The assertion comes from an AssertionSource: the local issuer today; the
 * same test takes a live gateway's forwarded request once the gateway signs assertions.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { localAssertionSource, type AssertionSource, type ForwardedRequest } from './support/assertion-source.ts';

const root = join(import.meta.dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// npm and the scratch project must not inherit this test process's tsx loader.
const plainEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('npm_')));

const CHECK_SCRIPT = `
import { verifyIdentity, IdentityError } from '@tenantgate/verify';
const input = JSON.parse(process.argv[2]);
try {
  const identity = await verifyIdentity(input.headers, { jwksUrl: input.jwksUrl, issuer: input.issuer, audience: input.audience, method: input.method, url: input.url });
  console.log(JSON.stringify({ ok: true, tenant: identity.tenant, subject: identity.subject, scopes: identity.scopes }));
} catch (err) {
  if (!(err instanceof IdentityError)) throw err;
  console.log(JSON.stringify({ ok: false, code: err.code }));
}
`;

let source: AssertionSource;
let work: string;
let scratch: string;

before(async () => {
  source = await localAssertionSource();
  work = mkdtempSync(join(process.env.TENANTGATE_TEST_TMP ?? tmpdir(), 'verify-pack-'));
  scratch = join(work, 'scratch');
});
after(async () => {
  await source.close();
  rmSync(work, { recursive: true, force: true });
});

const run = promisify(execFile);

/** Asynchronously: the key-set server lives in this process and must keep answering. */
async function check(request: ForwardedRequest): Promise<{ ok: boolean; tenant?: string; code?: string; scopes?: string[] }> {
  const input = JSON.stringify({ jwksUrl: source.jwksUrl, issuer: source.issuer, audience: source.audience, ...request });
  const { stdout } = await run(process.execPath, ['check.mjs', input], { cwd: scratch, env: plainEnv, encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

test('npm pack → npm install in an empty project → verifies in plain Node', async () => {
  execFileSync(npm, ['pack', '--workspace', 'packages/verify', '--pack-destination', work, '--silent'], { cwd: root, env: plainEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  assert.equal(tarballs.length, 1, `one tarball, got ${tarballs.join(', ')}`);
  const tarball = join(work, tarballs[0]);

  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.ok(listing.includes('package/dist/index.js') && listing.includes('package/dist/index.d.ts'), listing.join('\n'));
  assert.deepEqual(listing.filter((f) => !f.startsWith('package/dist/') && f !== 'package/package.json' && f !== 'package/README.md'), [], 'only dist/, package.json and the README are shipped');

  execFileSync('mkdir', ['-p', scratch]);
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-service', version: '1.0.0', private: true, type: 'module' }));
  writeFileSync(join(scratch, 'check.mjs'), CHECK_SCRIPT);
  execFileSync(npm, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--silent'], { cwd: scratch, env: plainEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const installed = readdirSync(join(scratch, 'node_modules')).sort();
  assert.deepEqual(installed.filter((n) => !n.startsWith('.')), ['@tenantgate', 'jose'], 'jose is the only dependency');

  const target = '/api/v1/things?x=1';
  const accepted = await check(await source.forward('GET', target));
  assert.deepEqual(accepted, { ok: true, tenant: 'tenant-alpha', subject: 'user-1', scopes: ['inventory:read', 'inventory:write'] });

  const replayed = await source.forward('GET', target);
  assert.deepEqual(await check({ ...replayed, url: '/api/v1/other' }), { ok: false, code: 'wrong_target' });
  assert.deepEqual(await check({ ...replayed, method: 'PUT' }), { ok: false, code: 'wrong_method' });
  assert.deepEqual(await check({ ...replayed, headers: { 'x-stellaops-tenant': 'tenant-alpha' } }), { ok: false, code: 'missing_assertion' });
});
