/**
 * Checks what an upstream received: exactly the identity headers the gateway writes (each
 * once, with the expected value), no client-supplied reserved header in any spelling, and an
 * identity assertion that verifies for this method and request target.
 */
import assert from 'node:assert/strict';
import type { Queryable } from '../../../src/db/database.ts';
import type { ContractProfile } from '../../../src/contract/profile.ts';
import { verifyReceived } from '../../support/identity.ts';
import { compileHeaderCatalogue } from '../../../src/gateway/header-catalogue.ts';
import type { EchoRecord } from './harness.ts';

export interface ExpectedIdentity {
  tenant: string | null;
  actor: string;
  client: string | null;
  scopes: string[];
  legacy: boolean;
  /** Authorization forwarded (routes with forwardAuthorization). */
  authorization?: string;
}

export async function assertForwarded(record: EchoRecord | undefined, expected: ExpectedIdentity, profile: ContractProfile, pool: Queryable, label = ''): Promise<void> {
  assert.ok(record, `${label}: the upstream received nothing`);
  const catalogue = compileHeaderCatalogue(profile);
  const want = new Map<string, string>();
  if (expected.tenant !== null) {
    want.set(profile.canonicalTenantHeader.toLowerCase(), expected.tenant);
    if (expected.legacy) for (const h of profile.legacyTenantHeaders) want.set(h.toLowerCase(), expected.tenant);
  }
  want.set(profile.actorHeader.toLowerCase(), expected.actor);
  if (expected.client !== null) want.set(profile.clientHeader.toLowerCase(), expected.client);
  if (expected.scopes.length > 0) want.set(profile.scopesHeader.toLowerCase(), expected.scopes.join(' '));
  if (expected.authorization !== undefined) want.set('authorization', expected.authorization);
  const envelopeNames = [profile.identityHeader.toLowerCase()];

  const seen = new Map<string, string>();
  for (let i = 0; i < record.rawHeaders.length; i += 2) {
    const name = record.rawHeaders[i];
    const lower = name.toLowerCase();
    if (catalogue.lookup(name) === null) continue;
    assert.ok(want.has(lower) || envelopeNames.includes(lower), `${label}: upstream received reserved header ${name}: ${record.rawHeaders[i + 1]}`);
    assert.ok(!seen.has(lower), `${label}: upstream received ${name} twice`);
    seen.set(lower, record.rawHeaders[i + 1]);
  }
  for (const [name, value] of want) assert.equal(seen.get(name), value, `${label}: upstream header ${name}`);
  for (const name of envelopeNames) assert.ok(seen.has(name), `${label}: identity header ${name} missing`);

  const verified = await verifyReceived(pool, profile, {
    assertion: seen.get(envelopeNames[0]),
    tenantHeader: seen.get(profile.canonicalTenantHeader.toLowerCase()),
    method: record.method,
    url: record.url,
  });
  assert.ok(verified.ok, `${label}: identity assertion does not verify: ${!verified.ok ? verified.code : ''}`);
  if (verified.ok) {
    assert.equal(verified.identity.tenant, expected.tenant, `${label}: assertion tenant`);
    assert.equal(verified.identity.actor, expected.actor, `${label}: assertion sub`);
    assert.equal(verified.identity.client, expected.client, `${label}: assertion client_id`);
    assert.deepEqual(verified.identity.scopes, expected.scopes, `${label}: assertion scope`);
  }
}
