/** Route plugins the startup code hands the Authority sit behind its bearer authentication. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorityExtensions } from '../../src/components.ts';
import type { ComponentExtension } from '../../src/host/extension.ts';
import { startAuthorityStack, type AuthorityStack } from './authority-stack.ts';

describe('authority extensions', () => {
  let s: AuthorityStack;
  before(async () => {
    const testExtension: ComponentExtension = async (app, { ctx, requireScope }) => {
      app.get('/admin/test-extension', { preHandler: requireScope('rollout:read') }, async (req) => ({ component: ctx.name, tenant: req.principal?.tenant, client: req.principal?.clientId }));
      app.get('/console/test-extension', { preHandler: requireScope(null) }, async (req) => ({ subject: req.principal?.subject }));
    };
    s = await startAuthorityStack({}, { authorityExtensions: [...authorityExtensions, { name: 'test-extension', plugin: testExtension }] });
  });
  after(async () => s?.stop());

  it('requireScope(scope): 401 without a token, 403 without the scope, the principal with it', async () => {
    assert.equal((await fetch(`${s.base}/admin/test-extension`)).status, 401);
    const ci = (await s.token({ grant_type: 'client_credentials' }, { basic: s.basic('ci-runner') })).body.access_token;
    const denied = await fetch(`${s.base}/admin/test-extension`, { headers: { authorization: `Bearer ${ci}` } });
    assert.equal(denied.status, 403);
    assert.equal((await denied.json()).code, 'insufficient_scope');
    const admin = await s.adminToken();
    const ok = await fetch(`${s.base}/admin/test-extension`, { headers: { authorization: `Bearer ${admin}` } });
    assert.deepEqual(await ok.json(), { component: 'authority', tenant: 'tenant-alpha', client: 'tenantgate-admin' });
  });

  it('requireScope(null): any valid token', async () => {
    const ci = (await s.token({ grant_type: 'client_credentials' }, { basic: s.basic('ci-runner') })).body.access_token;
    const res = await fetch(`${s.base}/console/test-extension`, { headers: { authorization: `Bearer ${ci}` } });
    assert.deepEqual(await res.json(), { subject: 'ci-runner' });
  });
});
