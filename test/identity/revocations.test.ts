import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RevocationList } from '../../src/identity/revocations.ts';
import { issuedAtMs, newTokenId } from '../../src/identity/token-id.ts';

describe('the revocation list (pure)', () => {
  const identity = (over: Partial<{ tokenId: string; issuedAtMs: number; clientId: string; subject: string; tenant: string | null }> = {}) => ({
    tokenId: 'jti-1',
    issuedAtMs: 1_000,
    clientId: 'c1',
    subject: 'u1',
    tenant: 'tenant-alpha' as string | null,
    ...over,
  });
  const rule = (r: Partial<{ jti: string; clientId: string; subject: string; tenant: string }>, notBeforeMs = 2_000) => ({
    jti: r.jti ?? null,
    clientId: r.clientId ?? null,
    subject: r.subject ?? null,
    tenant: r.tenant ?? null,
    notBeforeMs,
    expiresAtMs: 10_000,
  });

  it('revokes by jti, and by client, subject and tenant for tokens issued before the rule only', () => {
    const list = new RevocationList();
    assert.equal(list.revokes(identity()), false);
    list.apply([rule({ jti: 'jti-1' })]);
    assert.equal(list.revokes(identity()), true);
    assert.equal(list.revokes(identity({ tokenId: 'jti-2' })), false);
    list.apply([rule({ clientId: 'c2', tenant: 'tenant-alpha' })]);
    assert.equal(list.revokes(identity({ tokenId: 'x', clientId: 'c2' })), true);
    assert.equal(list.revokes(identity({ tokenId: 'x', clientId: 'c2', tenant: 'tenant-bravo' })), false, 'another tenant');
    assert.equal(list.revokes(identity({ tokenId: 'x', clientId: 'c2', issuedAtMs: 2_000 })), false, 'issued at or after the rule');
    list.apply([rule({ subject: 'u9' })]);
    assert.equal(list.revokes(identity({ tokenId: 'x', subject: 'u9', tenant: null })), true);
    list.apply([rule({ clientId: 'c3', subject: 'u3' })]);
    assert.equal(list.revokes(identity({ tokenId: 'x', clientId: 'c3', subject: 'u3' })), true);
    assert.equal(list.revokes(identity({ tokenId: 'x', clientId: 'c3', subject: 'u4' })), false, 'another subject of that client');
  });

  it('changes its generation only when an answer may change; forgets expired rows', () => {
    const list = new RevocationList();
    list.apply([rule({ jti: 'a' })]);
    const g = list.generation;
    list.apply([rule({ jti: 'a' })]);
    list.apply([rule({ clientId: 'c' }, 2_000), rule({ clientId: 'c' }, 1_500)]);
    assert.equal(list.generation, g + 1, 'one new rule, the older duplicate ignored');
    list.prune(20_000);
    assert.equal(list.size, 0);
  });

  it('token ids carry their issue time to the millisecond, consistent with iat', () => {
    const now = 1_796_000_000_123;
    const id = newTokenId(now);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(issuedAtMs(id, Math.floor(now / 1000)), now);
    assert.equal(issuedAtMs(id, Math.floor(now / 1000) + 5), (Math.floor(now / 1000) + 5) * 1000, 'a jti that disagrees with iat is not trusted');
    assert.equal(issuedAtMs('not-a-v7', 42), 42_000);
  });
});
