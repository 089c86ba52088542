/** A deployment renames the contract's names through configuration; the Authority follows. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeClaims, startAuthorityStack, type AuthorityStack } from './authority-stack.ts';

describe('contract profile overrides', () => {
  let s: AuthorityStack;
  before(async () => {
    s = await startAuthorityStack({
      'profile.selectedTenantClaim': 'stella-ops:tenant',
      'profile.allowedTenantsClaim': 'stella-ops:tenants',
      'profile.tenantParameter': 'organization',
    });
  });
  after(async () => s?.stop());

  it('issues the renamed claims from the renamed parameter, and validates them', async () => {
    const res = await s.token({ grant_type: 'client_credentials', organization: 'tenant-bravo' }, { basic: s.basic('scanner-bot') });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const claims = decodeClaims(res.body.access_token);
    assert.equal(claims['stella-ops:tenant'], 'tenant-bravo');
    assert.equal(claims['stella-ops:tenants'], 'tenant-alpha tenant-bravo');
    assert.equal('stellaops:tenant' in claims, false);
    const ambiguous = await s.token({ grant_type: 'client_credentials', tenant: 'tenant-bravo' }, { basic: s.basic('scanner-bot') });
    assert.equal(ambiguous.body.error_code, 'tenant_ambiguous', 'the old parameter name means nothing now');
    const tenants = await fetch(`${s.base}/console/tenants`, { headers: { authorization: `Bearer ${res.body.access_token}` } });
    assert.equal((await tenants.json()).selectedTenant, 'tenant-bravo');
    const meta = await (await fetch(`${s.base}/.well-known/openid-configuration`)).json();
    assert.equal(meta.tenant_parameter, 'organization');
    assert.ok(meta.claims_supported.includes('stella-ops:tenant'));
  });
});
