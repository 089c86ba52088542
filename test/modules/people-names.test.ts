/**
 * Names beside ids in the APIs the console calls: the audit log (actor and client), a
 * tenant's members, triage history, the Platform's request context, the rollout's flag
 * history, and the Scanner's summary for the Overview. Through the real gateway, with a
 * user token from the authorization-code flow.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setFlags } from '../../src/flags/store.ts';
import { submitLogin } from '../authority/authority-stack.ts';
import { callApi, clientToken } from '../support/gateway-client.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

describe('people by name in the console APIs', () => {
  let ts: TestStack;
  let gw: string;
  let alice: string;
  let aliceId: string;
  let admin: string;

  before(async () => {
    ts = await startTestStack({ components: ['authority', 'platform', 'scanner', 'gateway'] });
    gw = ts.url('gateway');
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = `${gw}/auth/callback`;
    const url = new URL(`${gw}/connect/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'stellaops-console',
      redirect_uri: redirectUri,
      scope: 'openid profile scanner:read scanner:write platform:read authority:audit.read',
      state: 's',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const out = await submitLogin(url, 'alice', ts.credentials.users.alice.password);
    assert.equal(out.kind, 'redirect');
    const code = (out as { location: URL }).location.searchParams.get('code')!;
    const res = await fetch(`${gw}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'stellaops-console', code_verifier: verifier }),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    alice = body.access_token;
    aliceId = JSON.parse(Buffer.from(alice.split('.')[1], 'base64url').toString()).sub;
    admin = await clientToken(gw, ts.credentials, 'tenantgate-admin');
  });
  after(async () => ts?.stop());

  it('the audit log names the actor and the client, and keeps their ids', async () => {
    const res = await callApi(gw, alice, 'GET', '/admin/audit?type=authority.token.issued');
    assert.equal(res.status, 200, res.text);
    const mine = res.json.items.find((e: any) => e.actor === aliceId);
    assert.ok(mine, 'alice\'s own token issuance is in her tenant\'s log');
    assert.equal(mine.actorName, 'alice');
    assert.equal(mine.client, 'stellaops-console');
    assert.equal(mine.clientName, 'tenantgate console');
    assert.notEqual(mine.actor, mine.actorName, 'the id is the user id, the name the username');
  });

  it('a tenant\'s members carry a name (client display names, usernames) and the user id', async () => {
    const res = await callApi(gw, admin, 'GET', '/admin/tenants/tenant-alpha/members');
    assert.equal(res.status, 200, res.text);
    const user = res.json.items.find((m: any) => m.kind === 'user' && m.id === 'alice');
    assert.deepEqual([user.name, user.userId], ['alice', aliceId]);
    const client = res.json.items.find((m: any) => m.kind === 'client' && m.id === 'scanner-bot');
    assert.ok(client.name && client.name !== '');
  });

  it('triage history names who changed a status and through which client', async () => {
    const res = await callApi(gw, alice, 'PATCH', '/api/v1/triage/findings/finding-0002', { body: { status: 'under_review', note: 'looking' } });
    assert.equal(res.status, 200, res.text);
    const last = res.json.history[res.json.history.length - 1];
    assert.deepEqual([last.actor, last.actorName, last.client, last.clientName], [aliceId, 'alice', 'stellaops-console', 'tenantgate console']);
  });

  it('the Platform context names the actor', async () => {
    const res = await callApi(gw, alice, 'GET', '/api/v1/platform/context');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.actor, res.json.actorName, res.json.clientName], [aliceId, 'alice', 'tenantgate console']);
  });

  it('the flag history names a user acting through a client', async () => {
    await setFlags(ts.t.db, [{ name: 'gateway.allowScopeHeader', value: true }], { actor: `user:${aliceId} via stellaops-console`, reason: 'names test' });
    const res = await callApi(gw, admin, 'GET', '/admin/rollout/flags/history?name=gateway.allowScopeHeader');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.items[0].changedBy, `user:${aliceId} via stellaops-console`);
    assert.equal(res.json.items[0].changedByName, 'alice via tenantgate console');
  });

  it('the Scanner summary counts the tenant\'s scans, findings and unknowns', async () => {
    const a = await callApi(gw, alice, 'GET', '/api/v1/scans/summary');
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.tenant, 'tenant-alpha');
    assert.deepEqual([a.json.scans.total, a.json.scans.byStatus.completed], [2, 2]);
    const findings = await callApi(gw, alice, 'GET', '/api/v1/triage/findings?limit=200');
    assert.equal(a.json.findings.total, findings.json.items.length);
    assert.equal(a.json.findings.unresolved, findings.json.items.filter((f: any) => f.status === 'open' || f.status === 'under_review').length);
    const unknowns = await callApi(gw, alice, 'GET', '/api/v1/unknowns?limit=200');
    assert.equal(a.json.unknowns.total, unknowns.json.items.length);
    const bot = await clientToken(gw, ts.credentials, 'scanner-bot', { tenant: 'tenant-bravo' });
    const b = await callApi(gw, bot, 'GET', '/api/v1/scans/summary');
    assert.equal(b.json.tenant, 'tenant-bravo');
    assert.equal(b.json.scans.total, 2);
    const none = await callApi(gw, null, 'GET', '/api/v1/scans/summary');
    assert.equal(none.status, 401);
  });
});
