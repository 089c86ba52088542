/**
 * The truth table of CONTRACT.md §3 over real HTTP, for every grant: status, error_code and
 * the claims of the issued token; plus the audit events and daily counters of each decision.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { publicUrl } from '../../src/config/schema.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { utcDay } from '../../src/telemetry/clock.ts';
import { chooseTenant, decodeClaims, decodeHeader, startAuthorityStack, submitLogin, type AuthorityStack } from './authority-stack.ts';

const ALPHA = 'tenant-alpha';
const BRAVO = 'tenant-bravo';
const CHARLIE = 'tenant-charlie';

describe('tenant selection truth table (CONTRACT.md §3) over HTTP', () => {
  let s: AuthorityStack;
  let admin: string;
  const secrets: Record<string, string> = {};
  const passwords: Record<string, string> = {};
  const basicOf = (id: string) => 'Basic ' + Buffer.from(`${id}:${secrets[id]}`).toString('base64');

  async function adminPost(path: string, body: unknown) {
    const res = await fetch(`${s.base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    assert.equal(res.status, 201, JSON.stringify(json));
    return json;
  }

  before(async () => {
    s = await startAuthorityStack({ 'authority.clientCacheMs': 0 });
    admin = await s.adminToken();
    for (const c of [
      { clientId: 'pw-open', grantTypes: ['password'], scopes: ['scanner:read', 'scanner:write', 'platform:read'] },
      { clientId: 'pw-bravo', grantTypes: ['password', 'refresh_token'], scopes: ['scanner:read'], tenants: [BRAVO, CHARLIE] },
      { clientId: 'cc-no-claim', grantTypes: ['client_credentials'], scopes: ['scanner:read'], tenants: `${ALPHA} ${BRAVO}`, tenant: BRAVO, includeAllowedTenants: false },
      { clientId: 'cc-emptied', grantTypes: ['client_credentials'], scopes: ['scanner:read'], tenant: ALPHA },
    ]) {
      secrets[c.clientId] = (await adminPost('/admin/clients', c)).clientSecret;
    }
    for (const u of [
      { username: 'carol', tenants: [ALPHA, BRAVO], roles: { [ALPHA]: 'viewer', [BRAVO]: 'member' } },
      { username: 'dave', tenant: CHARLIE, role: 'viewer' },
      { username: 'erin', tenant: ALPHA, role: 'viewer' },
    ]) {
      passwords[u.username] = `pw-${randomBytes(8).toString('hex')}`;
      await adminPost('/admin/users', { ...u, password: passwords[u.username] });
    }
    passwords.alice = s.credentials.users.alice.password;
    passwords.bob = s.credentials.users.bob.password;
    for (const id of ['scanner-bot', 'legacy-cli', 'ci-runner', 'tenantgate-admin']) secrets[id] = s.credentials.clients[id].secret;
    // A client whose assignment was emptied after creation (the admin API refuses to create one).
    await s.t.db.query("update authority.clients set tenant = null, tenants = '{}' where client_id = 'cc-emptied'");
  });
  after(async () => s?.stop());

  async function expectToken(res: { status: number; body: any }, tenant: string, extra: Record<string, unknown> = {}) {
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    const claims = decodeClaims(res.body.access_token);
    assert.equal(decodeHeader(res.body.access_token).typ, 'at+jwt');
    assert.equal(claims['stellaops:tenant'], tenant);
    for (const [k, v] of Object.entries(extra)) assert.deepEqual(claims[k], v, k);
    return claims;
  }

  function expectRejection(res: { status: number; body: any }, code: string) {
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error, 'invalid_request');
    assert.equal(res.body.error_code, code);
    assert.equal(typeof res.body.error_description, 'string');
    assert.equal(res.body.access_token, undefined);
  }

  describe('client_credentials', () => {
    const cc = (id: string, tenant?: string | string[]) => s.token({ grant_type: 'client_credentials', ...(tenant === undefined ? {} : { tenant }) }, { basic: basicOf(id) });

    it('scanner-bot (alpha+bravo, no default) without tenant → tenant_ambiguous', async () => expectRejection(await cc('scanner-bot'), 'tenant_ambiguous'));
    it('scanner-bot tenant=tenant-bravo → bravo (requested), sub and client_id = client, A in the claim', async () => {
      const claims = await expectToken(await cc('scanner-bot', BRAVO), BRAVO, { sub: 'scanner-bot', client_id: 'scanner-bot', 'stellaops:allowed_tenants': `${ALPHA} ${BRAVO}`, aud: 'tenantgate', iss: s.base });
      assert.equal(claims.exp - claims.iat, 600);
      assert.match(claims.jti, /^[0-9a-f-]{36}$/);
      assert.ok(claims.scope.split(' ').includes('scanner:read'));
    });
    it('tenant is normalized (case, surrounding whitespace)', async () => {
      await expectToken(await cc('scanner-bot', '  TENANT-Bravo\t'), BRAVO);
    });
    it('tenant outside A → tenant_not_assigned', async () => expectRejection(await cc('scanner-bot', CHARLIE), 'tenant_not_assigned'));
    it('unknown tenant → tenant_not_assigned (never a silent fallback)', async () => expectRejection(await cc('legacy-cli', 'tenant-zulu'), 'tenant_not_assigned'));
    it('malformed tenant → tenant_invalid', async () => {
      for (const bad of ['', 'tenant alpha', `${ALPHA},${BRAVO}`, `${ALPHA};${BRAVO}`, 'ｔenant-alpha', 'tenant-\u0430lpha', 'x'.repeat(129)]) {
        expectRejection(await cc('scanner-bot', bad), 'tenant_invalid');
      }
    });
    it('tenant twice → duplicate_parameter (even the same value)', async () => {
      expectRejection(await cc('scanner-bot', [ALPHA, BRAVO]), 'duplicate_parameter');
      expectRejection(await cc('scanner-bot', [BRAVO, BRAVO]), 'duplicate_parameter');
    });
    it('legacy-cli (scalar alpha) → alpha by default', async () => {
      await expectToken(await cc('legacy-cli'), ALPHA, { 'stellaops:allowed_tenants': ALPHA });
    });
    it('ci-runner (only bravo) → bravo as the single member; alpha → tenant_not_assigned', async () => {
      await expectToken(await cc('ci-runner'), BRAVO);
      expectRejection(await cc('ci-runner', ALPHA), 'tenant_not_assigned');
    });
    it('tenantgate-admin: default alpha, may select charlie', async () => {
      await expectToken(await cc('tenantgate-admin'), ALPHA, { 'stellaops:allowed_tenants': `${ALPHA} ${BRAVO} ${CHARLIE}` });
      await expectToken(await cc('tenantgate-admin', CHARLIE), CHARLIE);
    });
    it('a client that opted out of the assigned-set claim gets none', async () => {
      const claims = await expectToken(await cc('cc-no-claim'), BRAVO);
      assert.equal('stellaops:allowed_tenants' in claims, false);
    });
    it('a client with no tenant → tenant_unassigned; with tenant= → tenant_not_assigned', async () => {
      expectRejection(await cc('cc-emptied'), 'tenant_unassigned');
      expectRejection(await cc('cc-emptied', ALPHA), 'tenant_not_assigned');
    });
    it('client_secret_post works like basic', async () => {
      const res = await s.token({ grant_type: 'client_credentials', client_id: 'ci-runner', client_secret: secrets['ci-runner'] });
      await expectToken(res, BRAVO);
    });
    it('a wrong secret is invalid_client (401) before any tenant decision', async () => {
      const res = await s.token({ grant_type: 'client_credentials', tenant: 'bad value' }, { basic: 'Basic ' + Buffer.from('scanner-bot:wrong').toString('base64') });
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'invalid_client');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
    });
    it('requested scopes are intersected with the client scopes', async () => {
      const res = await s.token({ grant_type: 'client_credentials', tenant: BRAVO, scope: 'scanner:read authority:users.write' }, { basic: basicOf('ci-runner') });
      assert.equal(decodeClaims(res.body.access_token).scope, 'scanner:read');
      const none = await s.token({ grant_type: 'client_credentials', scope: 'authority:users.write' }, { basic: basicOf('ci-runner') });
      assert.equal(none.status, 400);
      assert.equal(none.body.error, 'invalid_scope');
    });
  });

  describe('password', () => {
    const pw = (client: string, username: string, tenant?: string | string[]) =>
      s.token({ grant_type: 'password', username, password: passwords[username], ...(tenant === undefined ? {} : { tenant }) }, { basic: basicOf(client) });

    it('alice (alpha+bravo, default alpha) → alpha (default); sub is the user id', async () => {
      const claims = await expectToken(await pw('pw-open', 'alice'), ALPHA, { client_id: 'pw-open', 'stellaops:allowed_tenants': `${ALPHA} ${BRAVO}` });
      assert.notEqual(claims.sub, 'pw-open');
      assert.match(claims.sub, /^[0-9a-f-]{36}$/);
    });
    it('alice tenant=tenant-bravo → bravo; tenant=tenant-charlie → tenant_not_assigned', async () => {
      await expectToken(await pw('pw-open', 'alice', BRAVO), BRAVO);
      expectRejection(await pw('pw-open', 'alice', CHARLIE), 'tenant_not_assigned');
    });
    it('carol (alpha+bravo, no default) → tenant_ambiguous; bob (bravo) → single', async () => {
      expectRejection(await pw('pw-open', 'carol'), 'tenant_ambiguous');
      await expectToken(await pw('pw-open', 'bob'), BRAVO);
    });
    it('the client set intersects: alice via pw-bravo → A={bravo}, default alpha ∉ A → bravo (single)', async () => {
      await expectToken(await pw('pw-bravo', 'alice'), BRAVO, { 'stellaops:allowed_tenants': BRAVO });
      expectRejection(await pw('pw-bravo', 'alice', ALPHA), 'tenant_not_assigned');
    });
    it('dave (charlie) via pw-bravo → charlie; erin (alpha) via pw-bravo → tenant_unassigned', async () => {
      await expectToken(await pw('pw-bravo', 'dave'), CHARLIE);
      expectRejection(await pw('pw-bravo', 'erin'), 'tenant_unassigned');
    });
    it('duplicate and malformed tenant values are rejected for user grants too', async () => {
      expectRejection(await pw('pw-open', 'alice', [ALPHA, ALPHA]), 'duplicate_parameter');
      expectRejection(await pw('pw-open', 'alice', 'İ'), 'tenant_invalid');
    });
    it("token scope = requested ∩ client ∩ the user's role in the selected tenant", async () => {
      const asked = { grant_type: 'password', username: 'carol', password: passwords.carol, scope: 'scanner:read scanner:write graph:read' };
      const viewer = await s.token({ ...asked, tenant: ALPHA }, { basic: basicOf('pw-open') });
      assert.equal(decodeClaims(viewer.body.access_token).scope, 'scanner:read', 'graph:read is not the client’s; scanner:write not a viewer’s');
      const member = await s.token({ ...asked, tenant: BRAVO }, { basic: basicOf('pw-open') });
      assert.equal(decodeClaims(member.body.access_token).scope, 'scanner:read scanner:write');
    });
    it('a wrong password is invalid_grant', async () => {
      const res = await s.token({ grant_type: 'password', username: 'alice', password: 'wrong-password' }, { basic: basicOf('pw-open') });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_grant');
    });
    it('a client without the grant is unauthorized_client', async () => {
      const res = await s.token({ grant_type: 'password', username: 'alice', password: passwords.alice }, { basic: basicOf('scanner-bot') });
      assert.equal(res.body.error, 'unauthorized_client');
    });
  });

  describe('authorization_code (console, PKCE) and refresh_token', () => {
    let redirectUri: string;
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');

    function authUrl(tenant?: string): URL {
      const url = new URL(`${s.base}/connect/authorize`);
      const params: Record<string, string> = { response_type: 'code', client_id: 'stellaops-console', redirect_uri: redirectUri, scope: 'openid scanner:read', state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256' };
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      if (tenant) url.searchParams.set('tenant', tenant);
      return url;
    }

    async function redeem(location: URL, tenant?: string | string[]) {
      assert.equal(location.searchParams.get('state'), 'st-1');
      const code = location.searchParams.get('code');
      assert.ok(code, `no code in ${location}`);
      return s.token({ grant_type: 'authorization_code', client_id: 'stellaops-console', code, redirect_uri: redirectUri, code_verifier: verifier, ...(tenant ? { tenant } : {}) });
    }

    before(() => {
      redirectUri = `${publicUrl(s.config)}/auth/callback`;
    });

    it('alice → alpha (default) with a refresh token', async () => {
      const out = await submitLogin(authUrl(), 'alice', passwords.alice);
      assert.equal(out.kind, 'redirect');
      const res = await redeem((out as any).location);
      await expectToken(res, ALPHA, { client_id: 'stellaops-console' });
      assert.match(res.body.refresh_token, /^rt_/);
    });

    it('alice with tenant=tenant-bravo on the authorization request → bravo', async () => {
      const out = await submitLogin(authUrl(BRAVO), 'alice', passwords.alice);
      await expectToken(await redeem((out as any).location), BRAVO);
    });

    it('alice with tenant=tenant-charlie → redirected back with error_code tenant_not_assigned', async () => {
      const out = await submitLogin(authUrl(CHARLIE), 'alice', passwords.alice);
      assert.equal(out.kind, 'redirect');
      const loc = (out as any).location as URL;
      assert.equal(loc.searchParams.get('error'), 'invalid_request');
      assert.equal(loc.searchParams.get('error_code'), 'tenant_not_assigned');
      assert.equal(loc.searchParams.get('code'), null);
    });

    it('carol (ambiguous) is asked which tenant; the answer selects it; an unassigned answer is asked again', async () => {
      const out = await submitLogin(authUrl(), 'carol', passwords.carol);
      assert.equal(out.kind, 'choice');
      const choice = out as Extract<typeof out, { kind: 'choice' }>;
      assert.deepEqual(choice.choices, [ALPHA, BRAVO]);
      assert.match(choice.html, /Alpha Corp/);
      assert.match(choice.html, /<label for="tenant-0">/);
      const again = await chooseTenant(authUrl(), choice, CHARLIE);
      assert.equal(again.kind, 'choice');
      const none = await chooseTenant(authUrl(), again as Extract<typeof out, { kind: 'choice' }>, null);
      assert.equal(none.kind, 'choice');
      const picked = await chooseTenant(authUrl(), none as Extract<typeof out, { kind: 'choice' }>, BRAVO);
      assert.equal(picked.kind, 'redirect');
      await expectToken(await redeem((picked as any).location), BRAVO);
      // Nothing is remembered: the next sign-in asks again.
      const next = await submitLogin(authUrl(), 'carol', passwords.carol);
      assert.equal(next.kind, 'choice');
    });

    it('a tenant on the token request is checked by the same rule', async () => {
      let out = await submitLogin(authUrl(), 'alice', passwords.alice);
      expectRejection(await redeem((out as any).location, CHARLIE), 'tenant_not_assigned');
      out = await submitLogin(authUrl(), 'alice', passwords.alice);
      expectRejection(await redeem((out as any).location, [ALPHA, BRAVO]), 'duplicate_parameter');
    });

    it('refresh keeps the tenant, switches with tenant=, rejects an unassigned switch without spending the token', async () => {
      const out = await submitLogin(authUrl(), 'alice', passwords.alice);
      const first = await redeem((out as any).location);
      const refresh = (rt: string, tenant?: string) => s.token({ grant_type: 'refresh_token', client_id: 'stellaops-console', refresh_token: rt, ...(tenant ? { tenant } : {}) });

      const kept = await refresh(first.body.refresh_token);
      await expectToken(kept, ALPHA);
      const switched = await refresh(kept.body.refresh_token, BRAVO);
      await expectToken(switched, BRAVO);
      const keptBravo = await refresh(switched.body.refresh_token);
      await expectToken(keptBravo, BRAVO);
      expectRejection(await refresh(keptBravo.body.refresh_token, CHARLIE), 'tenant_not_assigned');
      expectRejection(await refresh(keptBravo.body.refresh_token, 'bad tenant'), 'tenant_invalid');
      // The rejected switch did not spend it.
      await expectToken(await refresh(keptBravo.body.refresh_token, ALPHA), ALPHA);
      // Tokens issued before the switch are untouched.
      assert.equal(decodeClaims(first.body.access_token)['stellaops:tenant'], ALPHA);
    });

    it('refresh with the password grant client (pw-bravo) re-checks current assignments', async () => {
      const first = await s.token({ grant_type: 'password', username: 'dave', password: passwords.dave }, { basic: basicOf('pw-bravo') });
      await expectToken(first, CHARLIE);
      await s.t.db.query("update authority.users set tenant = 'tenant-bravo', tenants = '{}' where username = 'dave'");
      const res = await s.token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, { basic: basicOf('pw-bravo') });
      expectRejection(res, 'tenant_not_assigned');
      const switched = await s.token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, tenant: BRAVO }, { basic: basicOf('pw-bravo') });
      await expectToken(switched, BRAVO);
    });
  });

  describe('audit and counters of each decision', () => {
    it('issued and rejected decisions are persisted with how, code, requested and assigned', async () => {
      await s.token({ grant_type: 'client_credentials' }, { basic: basicOf('scanner-bot') });
      await s.token({ grant_type: 'client_credentials', tenant: 'TENANT-CHARLIE' }, { basic: basicOf('scanner-bot') });
      await s.token({ grant_type: 'client_credentials', tenant: BRAVO }, { basic: basicOf('scanner-bot') });
      const { rows } = await s.t.db.query(
        "select type, outcome, actor, client, tenant, properties from telemetry.audit_events where client = 'scanner-bot' and type like 'authority.token.%' order by id desc limit 3",
      );
      assert.equal(rows[0].type, 'authority.token.issued');
      assert.equal(rows[0].tenant, BRAVO);
      assert.equal(rows[0].actor, 'scanner-bot');
      assert.equal(rows[0].properties.how, 'requested');
      assert.equal(rows[0].properties.grant, 'client_credentials');
      assert.deepEqual(rows[0].properties.assigned, [ALPHA, BRAVO]);
      assert.equal(rows[1].type, 'authority.token.tenant_rejected');
      assert.equal(rows[1].properties.code, 'tenant_not_assigned');
      assert.equal(rows[1].properties.requested, CHARLIE);
      assert.deepEqual(rows[1].properties.assigned, [ALPHA, BRAVO]);
      assert.equal(rows[2].properties.code, 'tenant_ambiguous');
      assert.equal(rows[2].properties.requested, null);

      const ctx = s.stack.components[0].ctx;
      await ctx.counters.flush();
      const day = utcDay(new Date());
      const counters = await readDailyCounters(s.t.db, day, day, ['authority.tenant_rejected', 'authority.token_issued']);
      const count = (signal: string, detail: string, client: string) => counters.filter((c) => c.signal === signal && c.detail === detail && c.client === client).reduce((n, c) => n + c.count, 0);
      assert.ok(count('authority.tenant_rejected', 'tenant_ambiguous', 'scanner-bot') >= 2);
      assert.ok(count('authority.tenant_rejected', 'duplicate_parameter', 'scanner-bot') >= 2);
      assert.ok(count('authority.token_issued', 'requested', 'scanner-bot') >= 2);
      const metrics = await ctx.metrics.metrics();
      assert.match(metrics, /tenantgate_authority_tenant_rejections_total\{grant="client_credentials",code="tenant_ambiguous"/);
      assert.match(metrics, /tenantgate_authority_tokens_issued_total\{grant="password",how="default"/);
    });
  });
});
