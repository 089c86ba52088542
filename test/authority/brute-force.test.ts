/**
 * Brute-force resistance: failed sign-ins and client authentications are throttled per
 * account and per real client address (429 rate_limited with Retry-After), a lockout holds
 * even for the right password until it expires, a success resets the account, lockouts are
 * audited and shared through PostgreSQL; forwarding headers count only when they come from the
 * gateway (a verified identity assertion), and the gateway believes inbound ones only from trusted proxies.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { publicUrl } from '../../src/config/schema.ts';
import { loadOrCreateIdentitySigningKey } from '../../src/identity/identity-keys.ts';
import { signAssertion } from '../support/identity.ts';
import { subjectDigest } from '../../src/authority/throttle/authentication-throttle.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { bearerCall, formFields, startAuthorityStack, type AuthorityStack } from './authority-stack.ts';

// Long enough for a loaded machine to send the attempts inside one lockout; waits read Retry-After.
const LOCKOUT_SECONDS = 8;
const throttling = {
  'authority.bruteForce.maxFailures': 10,
  'authority.bruteForce.maxFailuresPerAddress': 40,
  'authority.bruteForce.windowSeconds': 300,
  'authority.bruteForce.lockoutSeconds': LOCKOUT_SECONDS,
  'authority.bruteForce.syncIntervalMs': 100,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const challenge = createHash('sha256').update('v'.repeat(64)).digest('base64url');

function authorizeParams(redirectUri: string): Record<string, string> {
  return { response_type: 'code', client_id: 'stellaops-console', redirect_uri: redirectUri, scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' };
}

/** One browser sign-in session per Authority (cookie and CSRF token from the login page), reused by every attempt. */
const sessions = new Map<string, Promise<{ cookie: string; csrf: string }>>();

function signInSession(base: string, redirectUri: string) {
  let session = sessions.get(base);
  if (session === undefined) {
    session = (async () => {
      const page = await fetch(`${base}/connect/authorize?${new URLSearchParams(authorizeParams(redirectUri))}`, { redirect: 'manual' });
      assert.equal(page.status, 200);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const csrf = formFields(await page.text()).hidden.csrf;
      assert.ok(cookie && csrf, 'the login page sets a session cookie and carries a CSRF token');
      return { cookie, csrf };
    })();
    sessions.set(base, session);
  }
  return session;
}

/** POSTs the console's login form straight to /connect/authorize, from the sign-in session its page set up. */
async function login(base: string, redirectUri: string, username: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  const { cookie, csrf } = await signInSession(base, redirectUri);
  return fetch(`${base}/connect/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', cookie, ...headers },
    body: new URLSearchParams({ ...authorizeParams(redirectUri), csrf, username, password }),
  });
}

async function clientCredentials(base: string, clientId: string, secret: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
}

describe('brute-force resistance at the Authority', () => {
  let s: AuthorityStack;
  let redirectUri: string;
  before(async () => {
    s = await startAuthorityStack(throttling);
    redirectUri = `${publicUrl(s.config)}/auth/callback`;
  });
  after(async () => s.stop());

  it('120 wrong passwords: 429 rate_limited with Retry-After; the right one is refused until the lockout ends', async () => {
    const statuses: number[] = [];
    let limited: Response | null = null;
    for (let i = 0; i < 120; i++) {
      const res = await login(s.base, redirectUri, 'alice', `wrong-${i}`);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      await res.arrayBuffer();
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401), 'the first failures are answered as wrong passwords');
    assert.ok(statuses.slice(10).every((st) => st === 429), `after ten failures every attempt is throttled: ${statuses.join(',')}`);
    assert.ok(limited);
    assert.match(limited.headers.get('content-type') ?? '', /application\/problem\+json/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= LOCKOUT_SECONDS, `Retry-After ${retryAfter}`);
    const right = await login(s.base, redirectUri, 'alice', s.credentials.users.alice.password);
    assert.equal(right.status, 429, 'the lockout holds for the right password');
    const body = await right.json();
    assert.equal(body.code, 'rate_limited');
    assert.equal(body.error_code, 'rate_limited');
    // A browser gets the form back, still 429 with Retry-After.
    const page = await login(s.base, redirectUri, 'alice', s.credentials.users.alice.password, { accept: 'text/html' });
    assert.equal(page.status, 429);
    assert.ok(page.headers.get('retry-after'));
    assert.match(await page.text(), /Too many failed sign-ins/);

    await sleep(Number(right.headers.get('retry-after')) * 1000 + 300);
    const after = await login(s.base, redirectUri, 'alice', s.credentials.users.alice.password);
    assert.equal(after.status, 302, 'the right password works once the lockout has expired');

    const { rows } = await s.t.db.query(`select type, properties from telemetry.audit_events where type = 'authority.authentication.locked_out'`);
    assert.ok(rows.some((r: any) => r.properties.scope === 'user' && r.properties.subject === 'alice'), 'the lockout is audited');
  });

  it('a success resets the account: nine failures, a success, nine failures are never throttled', async () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 9; i++) {
        const res = await login(s.base, redirectUri, 'bob', `wrong-${i}`);
        assert.equal(res.status, 401, `round ${round} attempt ${i}`);
      }
      const ok = await login(s.base, redirectUri, 'bob', s.credentials.users.bob.password);
      assert.equal(ok.status, 302, `round ${round} success`);
    }
    const { rows } = await s.t.db.query(`select count(*)::int as n from authority.authentication_failures where scope = 'user'`);
    assert.equal(rows[0].n, 0, 'successes left no account row (alice signed in after her lockout, bob twice)');
  });

  it('wrong client secrets: the client is locked out, the right secret too, until it expires', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await clientCredentials(s.base, 'tenantgate-admin', `wrong-${i}`);
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.deepEqual(statuses.slice(10), [429, 429]);
    const right = await s.token({ grant_type: 'client_credentials' }, { basic: s.basic('tenantgate-admin') });
    assert.equal(right.status, 429);
    assert.ok(Number(right.headers.get('retry-after')) >= 1);
    assert.equal(right.body.error_code, 'rate_limited');
    await sleep(Number(right.headers.get('retry-after')) * 1000 + 300);
    assert.equal((await s.token({ grant_type: 'client_credentials' }, { basic: s.basic('tenantgate-admin') })).status, 200);
  });

  it('the failure table holds digests, never the presented strings', async () => {
    const hostile = 'x'.repeat(5000);
    await (await clientCredentials(s.base, hostile, 'nope')).arrayBuffer();
    const { rows } = await s.t.db.query(`select subject from authority.authentication_failures`);
    assert.ok(rows.length > 0);
    for (const r of rows) assert.match(r.subject, /^[0-9a-f]{64}$/);
  });

  it('a Forwarded header sent straight to the Authority (no gateway identity assertion) is not believed', async () => {
    // Every attempt claims another address: all count against the one real peer.
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) {
      const res = await clientCredentials(s.base, `nobody-${randomUUID()}`, 'nope', { forwarded: `for=203.0.113.${i}`, 'x-forwarded-for': `198.51.100.${i}` });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    assert.ok(statuses.includes(429), `the address limit applies to the real peer: ${statuses.join(',')}`);
  });

  it('Forwarded counts beside an identity assertion that verifies for the Authority, this method and target; beside any other it does not', async () => {
    const key = await loadOrCreateIdentitySigningKey(s.t.db, s.t.keyEncryptionKey);
    const anonymous = { tenant: null, actor: 'anonymous', client: null, scopes: [] };
    const attempt = (address: string, audience: string, target = '/connect/token') =>
      clientCredentials(s.base, `nobody-${randomUUID()}`, 'nope', {
        forwarded: `for=${address}`,
        [s.config.profile.identityHeader]: signAssertion(key, s.config, anonymous, { audience, method: 'POST', target }),
      });
    const run = async (count: number, send: (i: number) => Promise<Response>) => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        const res = await send(i);
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      return statuses;
    };
    const rowsFor = async (addresses: string[]) => {
      const digests = addresses.map((value) => subjectDigest({ scope: 'address', value }));
      const { rows } = await s.t.db.query(`select count(*)::int as n from authority.authentication_failures where scope = 'address' and subject = any($1::text[])`, [digests]);
      return rows[0].n as number;
    };
    const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    // Not believed: the failures (if the peer is not locked out already) count against the peer.
    for (const [label, prefix, send] of [
      ['another audience', '198.18.0.', (a: string) => attempt(a, 'platform')],
      ['another target', '198.18.1.', (a: string) => attempt(a, 'authority', '/connect/introspect')],
    ] as const) {
      const addresses = range(prefix, 5);
      await run(addresses.length, (i) => send(addresses[i] as string));
      assert.equal(await rowsFor(addresses), 0, `${label}: no failure is recorded for the claimed addresses`);
    }
    // Believed: each claimed address has its own record and its own limit.
    const claimed = range('192.0.2.', 45);
    const believed = await run(claimed.length, (i) => attempt(claimed[i] as string, 'authority'));
    assert.ok(believed.every((st) => st === 401), `each claimed address has its own limit: ${believed.join(',')}`);
    assert.equal(await rowsFor(claimed), claimed.length, 'a failure is recorded for every claimed address');
    const one = await run(45, () => attempt('192.0.2.200', 'authority'));
    assert.deepEqual(one.slice(0, 40), Array(40).fill(401));
    assert.ok(one.slice(40).every((st) => st === 429), `the claimed address is the one limited: ${one.join(',')}`);
  });

  it("a disabled account's sign-ins count as failures, the right password included: the eleventh is locked out", async () => {
    // From addresses of their own (the peer's address is locked out by the tests before).
    const key = await loadOrCreateIdentitySigningKey(s.t.db, s.t.keyEncryptionKey);
    const anonymous = { tenant: null, actor: 'anonymous', client: null, scopes: [] };
    const from = (address: string, target: string) => ({
      forwarded: `for=${address}`,
      [s.config.profile.identityHeader]: signAssertion(key, s.config, anonymous, { audience: 'authority', method: 'POST', target }),
    });
    const issued = await clientCredentials(s.base, 'tenantgate-admin', s.credentials.clients['tenantgate-admin'].secret, from('192.0.2.251', '/connect/token'));
    assert.equal(issued.status, 200);
    const admin = (await issued.json()).access_token as string;
    const password = `pw-${randomUUID()}`;
    assert.equal((await bearerCall(s.base, admin, 'POST', '/admin/users', { username: 'dormant', tenants: ['tenant-alpha'], role: 'viewer', password })).status, 201);
    assert.equal((await bearerCall(s.base, admin, 'PATCH', '/admin/users/dormant', { disabled: true })).status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await login(s.base, redirectUri, 'dormant', password, from('192.0.2.250', '/connect/authorize'));
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
  });
});

async function hammerThroughGateway(ts: TestStack, spoof: (i: number) => Record<string, string>, attempts = 45): Promise<number[]> {
  const gateway = publicUrl(ts.config);
  const statuses: number[] = [];
  for (let i = 0; i < attempts; i++) {
    // A different client id each time: only the address limit can apply.
    const res = await clientCredentials(gateway, `nobody-${randomUUID()}`, 'nope', spoof(i));
    statuses.push(res.status);
    await res.arrayBuffer();
  }
  return statuses;
}

describe('client addresses through the gateway', () => {
  it('X-Forwarded-For from an untrusted peer is dropped: the attempts count against the real peer', async () => {
    const ts = await startTestStack({ components: ['gateway', 'authority'], overrides: throttling });
    try {
      const statuses = await hammerThroughGateway(ts, (i) => ({ 'x-forwarded-for': `203.0.113.${i}`, forwarded: `for=198.51.100.${i}` }));
      assert.deepEqual(statuses.slice(0, 40), Array(40).fill(401));
      assert.ok(statuses.slice(40).every((st) => st === 429), statuses.join(','));
    } finally {
      await ts.stop();
    }
  });

  it('X-Forwarded-For from a trusted proxy is honoured: each client address has its own limit', async () => {
    const ts = await startTestStack({ components: ['gateway', 'authority'], overrides: { ...throttling, 'server.trustedProxies': ['127.0.0.0/8', '::1'] } });
    try {
      const statuses = await hammerThroughGateway(ts, (i) => ({ 'x-forwarded-for': `203.0.113.${i}` }));
      assert.ok(statuses.every((st) => st === 401), statuses.join(','));
      // One address, many attempts: that address is limited.
      const same = await hammerThroughGateway(ts, () => ({ 'x-forwarded-for': '198.51.100.7' }));
      assert.ok(same.slice(40).every((st) => st === 429), same.join(','));
    } finally {
      await ts.stop();
    }
  });
});
