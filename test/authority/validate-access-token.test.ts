import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { defaultProfile } from '../../src/contract/profile.ts';
import { validateAccessToken, type ValidationOptions } from '../../src/authority/tokens/validate-access-token.ts';

const ISS = 'https://tenantgate.test';
const AUD = 'tenantgate';
const now = () => Math.floor(Date.now() / 1000);

function b64(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

describe('access token validation (CONTRACT.md §5)', () => {
  let ed: CryptoKeyPair;
  let es: CryptoKeyPair;
  let stranger: CryptoKeyPair;
  let options: ValidationOptions;

  const baseClaims = () => ({
    iss: ISS,
    sub: 'scanner-bot',
    aud: AUD,
    client_id: 'scanner-bot',
    scope: 'scanner:read',
    iat: now(),
    exp: now() + 600,
    jti: 'jti-1',
    'stellaops:tenant': 'tenant-alpha',
    'stellaops:allowed_tenants': 'tenant-alpha tenant-bravo',
  });

  async function sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}, key: CryptoKey = ed.privateKey, alg = 'EdDSA'): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg, typ: 'at+jwt', kid: alg === 'ES256' ? 'es-1' : 'ed-1', ...header }).sign(key);
  }

  async function reason(token: string, extra: Partial<ValidationOptions> = {}): Promise<string> {
    const r = await validateAccessToken(token, { ...options, ...extra });
    return r.ok ? 'ok' : r.reason;
  }

  before(async () => {
    ed = (await generateKeyPair('EdDSA', { extractable: true })) as CryptoKeyPair;
    es = (await generateKeyPair('ES256', { extractable: true })) as CryptoKeyPair;
    stranger = (await generateKeyPair('EdDSA', { extractable: true })) as CryptoKeyPair;
    const keys = new Map([
      ['ed-1', { algorithm: 'EdDSA' as const, key: ed.publicKey }],
      ['es-1', { algorithm: 'ES256' as const, key: es.publicKey }],
    ]);
    options = { issuer: ISS, audience: AUD, profile: defaultProfile, clockSkewSeconds: 30, keyFor: (kid) => keys.get(kid) ?? null };
  });

  it('accepts a well-formed EdDSA token and exposes its tenant and assigned set', async () => {
    const r = await validateAccessToken(await sign(baseClaims()), options);
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.token.tenant, 'tenant-alpha');
    assert.deepEqual(r.ok && r.token.allowedTenants, ['tenant-alpha', 'tenant-bravo']);
    assert.deepEqual(r.ok && r.token.scopes, ['scanner:read']);
  });

  it('accepts ES256', async () => {
    assert.equal(await reason(await sign(baseClaims(), {}, es.privateKey, 'ES256')), 'ok');
  });

  it('accepts the assigned set as an array too', async () => {
    assert.equal(await reason(await sign({ ...baseClaims(), 'stellaops:allowed_tenants': ['tenant-bravo', 'tenant-alpha'] })), 'ok');
  });

  it('rejects a token without the tenant claim', async () => {
    const { 'stellaops:tenant': _t, ...claims } = baseClaims();
    assert.equal(await reason(await sign(claims)), 'tenant_missing');
  });

  it('rejects malformed, array-valued, delimiter-containing and non-normalized tenant claims', async () => {
    for (const bad of ['ｔenant-alpha', '', 'tenant alpha', 'tenant-alpha,tenant-bravo', 'tenant-alpha;x', 'Tenant-Alpha', ['tenant-alpha'], 42, { id: 'a' }]) {
      assert.equal(await reason(await sign({ ...baseClaims(), 'stellaops:tenant': bad })), bad === '' ? 'tenant_invalid' : 'tenant_invalid', JSON.stringify(bad));
    }
  });

  it('rejects a tenant outside the assigned-set claim, and a malformed assigned set', async () => {
    assert.equal(await reason(await sign({ ...baseClaims(), 'stellaops:tenant': 'tenant-charlie' })), 'tenant_out_of_assignment');
    assert.equal(await reason(await sign({ ...baseClaims(), 'stellaops:allowed_tenants': 'tenant-alpha ｂad' })), 'tenant_invalid');
    assert.equal(await reason(await sign({ ...baseClaims(), 'stellaops:allowed_tenants': 7 })), 'tenant_invalid');
  });

  it('a legacy tid is admissible only while compatibility allows it', async () => {
    const { 'stellaops:tenant': _t, 'stellaops:allowed_tenants': _a, ...claims } = baseClaims();
    const token = await sign({ ...claims, tid: 'tenant-alpha' });
    assert.equal(await reason(token), 'tenant_missing');
    const r = await validateAccessToken(token, { ...options, legacyTenantClaimAllowed: true });
    assert.equal(r.ok && r.token.legacyTenantClaim, true);
    assert.equal(await reason(await sign({ ...claims, tid: 'a b' }), { legacyTenantClaimAllowed: true }), 'tenant_invalid');
  });

  it('rejects alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'at+jwt', kid: 'ed-1' })}.${b64(baseClaims())}.`;
    assert.equal(await reason(token), 'algorithm');
  });

  it('rejects HS256 signed with the public key as the HMAC secret', async () => {
    const pem = await exportSPKI(ed.publicKey);
    const jwk = await exportJWK(ed.publicKey);
    for (const secret of [Buffer.from(pem), Buffer.from(jwk.x as string, 'base64url')]) {
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: 'ed-1' })}.${b64(baseClaims())}`;
      const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      assert.equal(await reason(token), 'algorithm');
    }
  });

  it('rejects an alg that does not match the key it names', async () => {
    const token = await sign(baseClaims(), { kid: 'ed-1' }, es.privateKey, 'ES256');
    assert.equal(await reason(token), 'algorithm');
  });

  it('rejects a wrong typ, and a missing typ', async () => {
    assert.equal(await reason(await sign(baseClaims(), { typ: 'JWT' })), 'typ');
    const untyped = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'EdDSA', kid: 'ed-1' }).sign(ed.privateKey);
    assert.equal(await reason(untyped), 'typ');
  });

  it('rejects a wrong issuer and a wrong audience', async () => {
    assert.equal(await reason(await sign({ ...baseClaims(), iss: 'https://evil.test' })), 'issuer');
    assert.equal(await reason(await sign({ ...baseClaims(), aud: 'someone-else' })), 'audience');
  });

  it('rejects an expired token beyond the skew, accepts within it', async () => {
    assert.equal(await reason(await sign({ ...baseClaims(), iat: now() - 1000, exp: now() - 31 })), 'expired');
    assert.equal(await reason(await sign({ ...baseClaims(), iat: now() - 1000, exp: now() - 5 })), 'ok');
  });

  it('rejects a not-yet-valid token', async () => {
    assert.equal(await reason(await sign({ ...baseClaims(), nbf: now() + 300 })), 'not_yet_valid');
  });

  it('rejects a key the JWKS does not hold, and a bad signature', async () => {
    assert.equal(await reason(await sign(baseClaims(), { kid: 'nope' }, stranger.privateKey)), 'unknown_key');
    assert.equal(await reason(await sign(baseClaims(), { kid: 'ed-1' }, stranger.privateKey)), 'signature');
    const token = await sign(baseClaims());
    const [h, p] = token.split('.');
    assert.equal(await reason(`${h}.${p}.${'A'.repeat(86)}`), 'signature');
  });

  it('rejects garbage', async () => {
    for (const bad of ['', 'a.b', 'a.b.c', 'not a token']) assert.equal(await reason(bad), 'malformed');
  });

  it('rejects a token missing client_id or jti', async () => {
    const { client_id: _c, ...noClient } = baseClaims();
    assert.equal(await reason(await sign(noClient)), 'claims');
    const { jti: _j, ...noJti } = baseClaims();
    assert.equal(await reason(await sign(noJti)), 'claims');
  });
});
