/**
 * Interop with a second, independent client: Debian's python3-authlib (with python3-requests)
 * as the relying party in test/authority/python/authlib_client.py. It runs discovery, the
 * authorization code grant with PKCE (S256), validates the ID token against the JWKS
 * accepting RS256 only, and calls the UserInfo endpoint. This test plays the browser: it
 * drives the login form with the URL authlib built and hands back the callback.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { publicUrl } from '../../src/config/schema.ts';
import { ensureDebian } from '../support/debian.ts';
import { startAuthorityStack, submitLogin, type AuthorityStack } from './authority-stack.ts';

const PYTHON = '/usr/bin/python3';
const CLIENT = join(import.meta.dirname, 'python', 'authlib_client.py');

describe('interop: python3-authlib against the running Authority', () => {
  let s: AuthorityStack;

  before(async () => {
    ensureDebian(
      { pkg: 'python3', path: PYTHON },
      { pkg: 'python3-authlib', path: '/usr/lib/python3/dist-packages/authlib' },
      { pkg: 'python3-requests', path: '/usr/lib/python3/dist-packages/requests' },
    );
    s = await startAuthorityStack();
  });
  after(async () => s?.stop());

  it('discovery, code + PKCE, RS256 ID token validation and UserInfo', async () => {
    const redirectUri = `${publicUrl(s.config)}/auth/callback`;
    const child = spawn(PYTHON, [CLIENT, '--issuer', s.base, '--client-id', 'stellaops-console', '--redirect-uri', redirectUri, '--scope', 'openid profile scanner:read'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<any> => {
      const line = await Promise.race([lines.next(), exited.then((code) => ({ done: true, value: `exit ${code}` }))]);
      if (line.done) throw new Error(`authlib_client.py ended (${line.value}): ${stderr.join('')}`);
      return JSON.parse(line.value as string);
    };
    try {
      const { authorize } = await next();
      const url = new URL(authorize);
      assert.equal(`${url.origin}${url.pathname}`, `${s.base}/connect/authorize`);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(url.searchParams.get('nonce'));
      const out = await submitLogin(url, 'alice', s.credentials.users.alice.password);
      assert.equal(out.kind, 'redirect');
      child.stdin.write(`${(out as { location: URL }).location.href}\n`);
      const result = await next();
      assert.equal(await exited, 0, stderr.join(''));
      assert.equal(result.idTokenHeader.alg, 'RS256');
      assert.equal(result.idToken.iss, s.base);
      assert.equal(result.idToken.aud, 'stellaops-console');
      assert.equal(result.idToken['stellaops:tenant'], 'tenant-alpha');
      assert.equal(result.idToken.preferred_username, 'alice');
      assert.equal(result.accessTokenType, 'Bearer');
      assert.deepEqual(result.userinfo, { sub: result.idToken.sub, preferred_username: 'alice', 'stellaops:tenant': 'tenant-alpha' });
      assert.equal(result.anonymousStatus, 401);
      assert.equal(result.anonymousChallenge, 'Bearer realm="tenantgate"');
      const { rows } = await s.t.db.query<{ id: string }>("select id from authority.users where username = 'alice'");
      assert.equal(result.idToken.sub, rows[0].id);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
