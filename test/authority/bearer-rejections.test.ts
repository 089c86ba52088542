/**
 * The Authority's own token checks over HTTP (introspection and bearer routes): tokens signed
 * with the Authority's real current key but carrying a bad tenant, header or claim are
 * refused; so are tokens from a key the JWKS does not hold, `alg: none` and HS256.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { loadActiveKey, type SigningKey } from '../../src/authority/keys/signing-keys.ts';
import { setFlags } from '../../src/flags/store.ts';
import { startAuthorityStack, type AuthorityStack } from './authority-stack.ts';

describe('bearer and introspection refuse forged or malformed tokens', () => {
  let s: AuthorityStack;
  let key: SigningKey;
  const now = () => Math.floor(Date.now() / 1000);

  before(async () => {
    s = await startAuthorityStack();
    // Forging needs the real private key: read it the way an attacker with the database and KEK could.
    key = (await loadActiveKey(s.t.db, s.t.keyEncryptionKey)) as SigningKey;
  });
  after(async () => s?.stop());

  const claims = () => ({
    iss: s.base,
    sub: 'scanner-bot',
    aud: 'tenantgate',
    client_id: 'scanner-bot',
    scope: 'scanner:read',
    iat: now(),
    exp: now() + 300,
    jti: `forged-${Math.random()}`,
    'stellaops:tenant': 'tenant-alpha',
    'stellaops:allowed_tenants': 'tenant-alpha tenant-bravo',
  });

  const sign = (c: Record<string, unknown>, header: Record<string, unknown> = {}, privateKey: CryptoKey = key.privateKey) =>
    new SignJWT(c).setProtectedHeader({ alg: key.algorithm, typ: 'at+jwt', kid: key.kid, ...header }).sign(privateKey);

  async function accepted(token: string): Promise<{ introspected: boolean; bearer: number }> {
    const res = await fetch(`${s.base}/connect/introspect`, {
      method: 'POST',
      headers: { authorization: s.basic('scanner-bot'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    const body = await res.json();
    const bearer = await fetch(`${s.base}/console/profile`, { headers: { authorization: `Bearer ${token}` } });
    return { introspected: body.active, bearer: bearer.status };
  }

  it('control: a well-formed token signed with the real key is accepted', async () => {
    assert.deepEqual(await accepted(await sign(claims())), { introspected: true, bearer: 200 });
  });

  it('refuses tenant-less, malformed, array-valued, space-containing and out-of-assignment tenants', async () => {
    const { 'stellaops:tenant': _t, ...tenantless } = claims();
    const variants: Record<string, unknown>[] = [
      tenantless,
      { ...claims(), 'stellaops:tenant': 'ｔenant-alpha' },
      { ...claims(), 'stellaops:tenant': ['tenant-alpha'] },
      { ...claims(), 'stellaops:tenant': 'tenant-alpha tenant-bravo' },
      { ...claims(), 'stellaops:tenant': 'tenant-charlie', 'stellaops:allowed_tenants': 'tenant-alpha tenant-bravo' },
      { ...claims(), 'stellaops:tenant': 'tenant-charlie', 'stellaops:allowed_tenants': undefined },
    ];
    for (const v of variants) assert.deepEqual(await accepted(await sign(v)), { introspected: false, bearer: 401 }, JSON.stringify(v));
  });

  it('refuses wrong typ, iss, aud and an expired token', async () => {
    for (const token of [
      await sign(claims(), { typ: 'JWT' }),
      await sign({ ...claims(), iss: 'http://evil.example' }),
      await sign({ ...claims(), aud: 'other' }),
      await sign({ ...claims(), iat: now() - 3600, exp: now() - 600 }),
    ]) {
      assert.deepEqual(await accepted(token), { introspected: false, bearer: 401 });
    }
  });

  it('refuses alg none, HS256 keyed with the public key, and a key the JWKS does not hold', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${b64(claims())}.`;
    const jwks = await (await fetch(`${s.base}/.well-known/jwks.json`)).json();
    const publicJwk = JSON.stringify(jwks.keys[0]);
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })}.${b64(claims())}`;
    const hs256 = `${input}.${createHmac('sha256', publicJwk).update(input).digest('base64url')}`;
    const stranger = await generateKeyPair('EdDSA');
    const foreign = await sign(claims(), { kid: 'ed-not-in-jwks' }, stranger.privateKey);
    const wrongKey = await sign(claims(), {}, stranger.privateKey);
    for (const token of [none, hs256, foreign, wrongKey]) assert.deepEqual(await accepted(token), { introspected: false, bearer: 401 });
  });
  it('strict mode new-clients: a legacy tid stays admissible only for a client created before the cut-over', async () => {
    assert.equal(s.config.rollout.newClientsCutover, '2026-04-01', 'the cut-over comes from the rollout policy in force');
    // Before any token of it is read (the client cache): legacy-cli predates the cut-over.
    await s.t.db.query(`update authority.clients set created_at = '2025-06-01T00:00:00Z' where client_id = 'legacy-cli'`);
    const { 'stellaops:tenant': _t, 'stellaops:allowed_tenants': _a, ...base } = claims();
    const legacyTid = (client: string) => sign({ ...base, sub: client, client_id: client, jti: `tid-${Math.random()}`, tid: 'tenant-alpha' });
    const admitted = async (client: string) => (await accepted(await legacyTid(client))).bearer === 200;
    const eventually = async (what: () => Promise<boolean>, message: string) => {
      for (let i = 0; i < 50 && !(await what()); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(await what(), message);
    };
    assert.equal(await admitted('legacy-cli'), true, 'off: old client');
    assert.equal(await admitted('scanner-bot'), true, 'off: new client');
    await setFlags(s.t.db, [{ name: 'gateway.strictMode', value: 'new-clients' }], { actor: 'test', reason: 'strict for new clients' });
    await eventually(async () => !(await admitted('scanner-bot')), 'new-clients: a client created after the cut-over loses the legacy claim');
    assert.equal(await admitted('legacy-cli'), true, 'new-clients: an old client keeps it');
    await setFlags(s.t.db, [{ name: 'gateway.strictMode', value: 'all' }], { actor: 'test', reason: 'strict for all' });
    await eventually(async () => !(await admitted('legacy-cli')), 'all: nobody keeps the legacy claim');
    await setFlags(s.t.db, [{ name: 'gateway.strictMode', value: 'off' }], { actor: 'test', reason: 'back' });
  });
});
