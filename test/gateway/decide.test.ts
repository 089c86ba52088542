/**
 * Table tests of the pure tenant decision (GATEWAY.md §2): every rule under every flag
 * combination (legacyHeaders × strictMode × tenantOverride × allowScopeHeader) and every
 * client age (new, old, unknown).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestedTenant } from '../../src/gateway/classify.ts';
import { decide, needsClientAge, type Decision, type DecisionInput, type GatewayFlags, type TokenIdentity } from '../../src/gateway/decide.ts';
import { strictModeApplies as strictApplies, strictModes } from '../../src/contract/strict-mode.ts';
import { legacyWindowFlags, windowEndActions, type LegacyWindowFlags } from '../../src/contract/legacy-window.ts';

/** The window while open: the table of rules below is the decision inside the window. */
const OPEN: LegacyWindowFlags = { closed: false, until: '2026-03-31', onWindowEnd: 'reject-all' };

const T = 'tenant-alpha';
const X = 'tenant-bravo';
const Z = 'tenant-zulu';

const token = (over: Partial<TokenIdentity> = {}): TokenIdentity => ({
  subject: 'alice',
  clientId: 'scanner-bot',
  tenant: T,
  legacyTenant: null,
  allowedTenants: [T, X],
  scopes: ['platform:read', 'platform:write'],
  ...over,
});
const canonical = (value: string): RequestedTenant => ({ value, source: 'canonical', header: 'X-StellaOps-Tenant' });
const legacy = (value: string): RequestedTenant => ({ value, source: 'legacy', header: 'X-Tenant-Id' });
const variant = (value: string): RequestedTenant => ({ value, source: 'variant', header: 'X-StellaOps-Tenant' });

const protectedRoute = { access: 'protected' as const, requiredScopes: ['platform:read'] };

function allFlagCombinations(): { flags: GatewayFlags; clientIsNew: boolean | null }[] {
  const out: { flags: GatewayFlags; clientIsNew: boolean | null }[] = [];
  for (const legacyHeaders of [true, false])
    for (const strictMode of strictModes)
      for (const tenantOverride of [true, false])
        for (const allowScopeHeader of [true, false])
          for (const clientIsNew of [true, false, null]) out.push({ flags: { legacyHeaders, strictMode, tenantOverride, allowScopeHeader, legacyWindow: OPEN }, clientIsNew });
  return out;
}

type Expect = { pass: true; tenant: string | null; outcome: 'match' | 'override' | null; legacyAliases?: string[]; legacyTid?: boolean; scopes?: string[] } | { pass: false; code: string; outcome?: string | null };

interface Rule {
  name: string;
  input: Partial<DecisionInput>;
  expect: (f: GatewayFlags, strict: boolean) => Expect;
}

const rules: Rule[] = [
  { name: 'public route, no token → anonymous pass', input: { route: { access: 'public', requiredScopes: [] }, token: null }, expect: () => ({ pass: true, tenant: null, outcome: null }) },
  {
    name: 'public route ignores requested tenants and tokens',
    input: { route: { access: 'public', requiredScopes: [] }, token: token(), requested: [canonical(X), legacy(Z)] },
    expect: () => ({ pass: true, tenant: null, outcome: null }),
  },
  {
    name: 'public route with Connection naming a reserved header → 400',
    input: { route: { access: 'public', requiredScopes: [] }, token: null, hopByHop: ['X-StellaOps-Tenant'] },
    expect: () => ({ pass: false, code: 'hop_by_hop_identity_header' }),
  },
  { name: '1. protected, no token → 401', input: { token: null }, expect: () => ({ pass: false, code: 'unauthorized' }) },
  { name: '1. protected, no token, with tenant headers → still 401', input: { token: null, requested: [canonical(T)] }, expect: () => ({ pass: false, code: 'unauthorized' }) },
  { name: 'hop-by-hop beats everything', input: { token: null, hopByHop: ['x_tenant_id'], requested: [canonical(T), canonical(X)] }, expect: () => ({ pass: false, code: 'hop_by_hop_identity_header' }) },
  { name: '2. token without tenant → 403 tenant_missing', input: { token: token({ tenant: null }) }, expect: () => ({ pass: false, code: 'tenant_missing', outcome: 'missing' }) },
  {
    name: '2. token without tenant and a requested header → still tenant_missing (never defaulted from headers)',
    input: { token: token({ tenant: null }), requested: [canonical(T)] },
    expect: () => ({ pass: false, code: 'tenant_missing', outcome: 'missing' }),
  },
  {
    name: '2. tid-only token → admitted only in compatibility (counted)',
    input: { token: token({ tenant: null, legacyTenant: T }) },
    expect: (_f, strict) => (strict ? { pass: false, code: 'tenant_missing', outcome: 'missing' } : { pass: true, tenant: T, outcome: 'match', legacyTid: true }),
  },
  { name: 'malformed tenant header → 400 tenant_invalid', input: { token: token(), invalidTenantHeaders: ['X-StellaOps-Tenant'] }, expect: () => ({ pass: false, code: 'tenant_invalid', outcome: 'invalid' }) },
  { name: '3. two distinct values → 400 tenant_conflict', input: { token: token(), requested: [canonical(T), canonical(X)] }, expect: () => ({ pass: false, code: 'tenant_conflict', outcome: 'conflict' }) },
  {
    name: '3. conflict across canonical and alias → conflict before the legacy rule',
    input: { token: token(), requested: [canonical(T), legacy(X)] },
    expect: () => ({ pass: false, code: 'tenant_conflict', outcome: 'conflict' }),
  },
  {
    name: '3. conflict beats a scope header',
    input: { token: token(), requested: [canonical(T), canonical(X)], scopeOverride: ['platform:read'] },
    expect: () => ({ pass: false, code: 'tenant_conflict', outcome: 'conflict' }),
  },
  {
    name: '4. scope-override header → 403 unless allowed; allowed only narrows',
    input: { token: token(), scopeOverride: ['platform:read', 'admin:everything'] },
    expect: (f) => (f.allowScopeHeader ? { pass: true, tenant: T, outcome: 'match', scopes: ['platform:read'] } : { pass: false, code: 'ERR_SCOPE_HEADER_FORBIDDEN' }),
  },
  {
    name: '4. allowed scope header narrowing away the route scope → insufficient_scope',
    input: { token: token(), scopeOverride: ['platform:write'] },
    expect: (f) => (f.allowScopeHeader ? { pass: false, code: 'insufficient_scope' } : { pass: false, code: 'ERR_SCOPE_HEADER_FORBIDDEN' }),
  },
  {
    name: '4. scope header beats the legacy rule',
    input: { token: token(), requested: [legacy(T)], scopeOverride: ['platform:read'] },
    expect: (f, strict) =>
      !f.allowScopeHeader
        ? { pass: false, code: 'ERR_SCOPE_HEADER_FORBIDDEN' }
        : strict
          ? { pass: false, code: 'legacy_tenant_header_rejected', outcome: 'legacy_rejected' }
          : { pass: true, tenant: T, outcome: 'match', legacyAliases: ['X-Tenant-Id'], scopes: ['platform:read'] },
  },
  {
    name: '5. legacy alias equal to the token tenant',
    input: { token: token(), requested: [legacy(T)] },
    expect: (_f, strict) => (strict ? { pass: false, code: 'legacy_tenant_header_rejected', outcome: 'legacy_rejected' } : { pass: true, tenant: T, outcome: 'match', legacyAliases: ['X-Tenant-Id'] }),
  },
  {
    name: '5. variant spelling of the canonical header counts as legacy',
    input: { token: token(), requested: [variant(T)] },
    expect: (_f, strict) => (strict ? { pass: false, code: 'legacy_tenant_header_rejected', outcome: 'legacy_rejected' } : { pass: true, tenant: T, outcome: 'match', legacyAliases: ['X-StellaOps-Tenant'] }),
  },
  {
    name: '5. canonical plus alias with the same value',
    input: { token: token(), requested: [canonical(T), legacy(T)] },
    expect: (_f, strict) => (strict ? { pass: false, code: 'legacy_tenant_header_rejected', outcome: 'legacy_rejected' } : { pass: true, tenant: T, outcome: 'match', legacyAliases: ['X-Tenant-Id'] }),
  },
  {
    name: '5./7. legacy alias with another tenant: strict rejects first, else mismatch/override',
    input: { token: token(), requested: [legacy(X)] },
    expect: (f, strict) =>
      strict
        ? { pass: false, code: 'legacy_tenant_header_rejected', outcome: 'legacy_rejected' }
        : f.tenantOverride
          ? { pass: true, tenant: X, outcome: 'override', legacyAliases: ['X-Tenant-Id'] }
          : { pass: false, code: 'tenant_mismatch', outcome: 'mismatch' },
  },
  { name: '6. nothing requested → the token tenant', input: { token: token() }, expect: () => ({ pass: true, tenant: T, outcome: 'match' }) },
  { name: '6. canonical equal to the token tenant → match', input: { token: token(), requested: [canonical(T)] }, expect: () => ({ pass: true, tenant: T, outcome: 'match' }) },
  { name: '6. repeated equal values → match', input: { token: token(), requested: [canonical(T), canonical(T)] }, expect: () => ({ pass: true, tenant: T, outcome: 'match' }) },
  {
    name: '7. other tenant inside the allowed set',
    input: { token: token(), requested: [canonical(X)] },
    expect: (f) => (f.tenantOverride ? { pass: true, tenant: X, outcome: 'override' } : { pass: false, code: 'tenant_mismatch', outcome: 'mismatch' }),
  },
  {
    name: '7. other tenant outside the allowed set',
    input: { token: token(), requested: [canonical(Z)] },
    expect: (f) => (f.tenantOverride ? { pass: false, code: 'tenant_forbidden', outcome: 'forbidden' } : { pass: false, code: 'tenant_mismatch', outcome: 'mismatch' }),
  },
  {
    name: '7. token without an allowed set → override forbidden',
    input: { token: token({ allowedTenants: null }), requested: [canonical(X)] },
    expect: (f) => (f.tenantOverride ? { pass: false, code: 'tenant_forbidden', outcome: 'forbidden' } : { pass: false, code: 'tenant_mismatch', outcome: 'mismatch' }),
  },
  {
    name: '7. tid-only token with another requested tenant',
    input: { token: token({ tenant: null, legacyTenant: T }), requested: [canonical(X)] },
    expect: (f, strict) =>
      strict
        ? { pass: false, code: 'tenant_missing', outcome: 'missing' }
        : f.tenantOverride
          ? { pass: true, tenant: X, outcome: 'override', legacyTid: true }
          : { pass: false, code: 'tenant_mismatch', outcome: 'mismatch' },
  },
  { name: '8. missing route scope → 403 insufficient_scope', input: { token: token({ scopes: ['graph:read'] }) }, expect: () => ({ pass: false, code: 'insufficient_scope' }) },
  {
    name: '8. tenant checks come before scope checks',
    input: { token: token({ scopes: [] }), requested: [canonical(Z)] },
    expect: (f) => (f.tenantOverride ? { pass: false, code: 'tenant_forbidden', outcome: 'forbidden' } : { pass: false, code: 'tenant_mismatch', outcome: 'mismatch' }),
  },
  {
    name: '8. override into an allowed tenant still needs the route scope',
    input: { token: token({ scopes: [] }), requested: [canonical(X)] },
    expect: (f) => (f.tenantOverride ? { pass: false, code: 'insufficient_scope' } : { pass: false, code: 'tenant_mismatch', outcome: 'mismatch' }),
  },
];

function check(actual: Decision, expected: Expect, label: string): void {
  if (expected.pass) {
    assert.equal(actual.pass, true, `${label}: expected pass, got ${JSON.stringify(actual)}`);
    if (!actual.pass) return;
    assert.equal(actual.tenant, expected.tenant, label);
    assert.equal(actual.outcome, expected.outcome, label);
    assert.deepEqual([...actual.legacyAliases], expected.legacyAliases ?? [], label);
    assert.equal(actual.legacyTid, expected.legacyTid ?? false, label);
    if (expected.scopes) assert.deepEqual([...actual.scopes], expected.scopes, label);
  } else {
    assert.equal(actual.pass, false, `${label}: expected ${expected.code}, got ${JSON.stringify(actual)}`);
    if (actual.pass) return;
    assert.equal(actual.code, expected.code, label);
    if (expected.outcome !== undefined) assert.equal(actual.outcome, expected.outcome, label);
  }
}

describe('decide: every rule × every flag combination', () => {
  const combos = allFlagCombinations();
  for (const rule of rules) {
    it(rule.name, () => {
      for (const { flags, clientIsNew } of combos) {
        const input: DecisionInput = {
          route: protectedRoute,
          token: null,
          requested: [],
          invalidTenantHeaders: [],
          scopeOverride: null,
          hopByHop: [],
          flags,
          clientIsNew,
          ...rule.input,
        };
        const strict = !flags.legacyHeaders || flags.strictMode === 'all' || (flags.strictMode === 'new-clients' && clientIsNew !== false);
        check(decide(input), rule.expect(flags, strict), `${rule.name} with ${JSON.stringify(flags)} clientIsNew=${clientIsNew}`);
      }
    });
  }
});

describe('strict mode applicability', () => {
  const f = (over: Partial<GatewayFlags>): GatewayFlags => ({ legacyHeaders: true, strictMode: 'off', tenantOverride: false, allowScopeHeader: false, legacyWindow: OPEN, ...over });
  it('off applies to nobody; all applies to everybody; legacyHeaders off = strict for all', () => {
    assert.equal(strictApplies(f({}), true), false);
    assert.equal(strictApplies(f({ strictMode: 'all' }), false), true);
    assert.equal(strictApplies(f({ legacyHeaders: false }), false), true);
  });
  it('new-clients: new and unknown clients are strict, old ones are not', () => {
    assert.equal(strictApplies(f({ strictMode: 'new-clients' }), true), true);
    assert.equal(strictApplies(f({ strictMode: 'new-clients' }), null), true);
    assert.equal(strictApplies(f({ strictMode: 'new-clients' }), false), false);
  });
  it('the client age is looked up only when the decision depends on it', () => {
    const nc = f({ strictMode: 'new-clients' });
    assert.equal(needsClientAge(nc, token(), []), false);
    assert.equal(needsClientAge(nc, token(), [canonical(T)]), false);
    assert.equal(needsClientAge(nc, token(), [legacy(T)]), true);
    assert.equal(needsClientAge(nc, token(), [variant(T)]), true);
    assert.equal(needsClientAge(nc, token({ tenant: null, legacyTenant: T }), []), true);
    assert.equal(needsClientAge(f({}), token(), [legacy(T)]), false);
    assert.equal(needsClientAge(f({ strictMode: 'all' }), token(), [legacy(T)]), false);
    assert.equal(needsClientAge(nc, null, [legacy(T)]), false);
  });
});

describe('the compatibility window end (legacyAliases.onWindowEnd)', () => {
  const base = (legacyWindow: LegacyWindowFlags, clientIsNew: boolean | null, requested: RequestedTenant[]): DecisionInput => ({
    route: protectedRoute,
    token: token(),
    requested,
    invalidTenantHeaders: [],
    scopeOverride: null,
    hopByHop: [],
    flags: { legacyHeaders: true, strictMode: 'off', tenantOverride: false, allowScopeHeader: false, legacyWindow },
    clientIsNew,
  });
  const at = (day: string, onWindowEnd: (typeof windowEndActions)[number]) => legacyWindowFlags({ legacyAliasesUntil: '2026-03-31', onWindowEnd }, Date.parse(`${day}T00:00:00Z`));

  it('the window closes at the start of the day after legacyAliasesUntil', () => {
    assert.equal(legacyWindowFlags({ legacyAliasesUntil: '2026-03-31' }, Date.parse('2026-03-31T23:59:59.999Z')).closed, false);
    assert.equal(legacyWindowFlags({ legacyAliasesUntil: '2026-03-31' }, Date.parse('2026-04-01T00:00:00Z')).closed, true);
    assert.equal(legacyWindowFlags({}, Date.parse('2099-01-01T00:00:00Z')).closed, false);
    assert.equal(legacyWindowFlags({ legacyAliasesUntil: '2026-03-31' }, 0).onWindowEnd, 'keep');
  });

  it('keep: an alias after the end is accepted and reported as legacy use', () => {
    for (const isNew of [true, false, null]) {
      const d = decide(base(at('2026-05-01', 'keep'), isNew, [legacy(T)]));
      assert.equal(d.pass, true);
      assert.deepEqual(d.legacyAliases, ['X-Tenant-Id']);
    }
  });

  it('reject-all: every alias after the end is refused with legacy_window_closed; canonical requests pass', () => {
    for (const isNew of [true, false, null]) {
      const d = decide(base(at('2026-04-01', 'reject-all'), isNew, [legacy(T)]));
      assert.equal(d.pass, false);
      assert.equal(d.pass === false && d.code, 'legacy_window_closed');
      assert.equal(d.outcome, 'window_closed');
      assert.equal(decide(base(at('2026-04-01', 'reject-all'), isNew, [canonical(T)])).pass, true);
      assert.equal(decide(base(at('2026-03-31', 'reject-all'), isNew, [legacy(T)])).pass, true, 'inside the window');
    }
  });

  it('reject-new-clients: refuses clients created on/after the cut-over (and unknown ones), accepts older ones', () => {
    const w = at('2026-04-02', 'reject-new-clients');
    assert.equal(decide(base(w, true, [legacy(T)])).pass, false);
    assert.equal(decide(base(w, null, [variant(T)])).pass, false);
    assert.equal(decide(base(w, false, [legacy(T)])).pass, true);
  });

  it('strict mode still answers first with its own code', () => {
    const input = base(at('2026-04-02', 'reject-all'), true, [legacy(T)]);
    const d = decide({ ...input, flags: { ...input.flags, strictMode: 'all' } });
    assert.equal(d.pass === false && d.code, 'legacy_tenant_header_rejected');
  });

  it('the client age is looked up for reject-new-clients only once the window has closed', () => {
    const flags = (legacyWindow: LegacyWindowFlags): GatewayFlags => ({ legacyHeaders: true, strictMode: 'off', tenantOverride: false, allowScopeHeader: false, legacyWindow });
    assert.equal(needsClientAge(flags(at('2026-04-02', 'reject-new-clients')), token(), [legacy(T)]), true);
    assert.equal(needsClientAge(flags(at('2026-03-02', 'reject-new-clients')), token(), [legacy(T)]), false);
    assert.equal(needsClientAge(flags(at('2026-04-02', 'reject-all')), token(), [legacy(T)]), false);
    assert.equal(needsClientAge(flags(at('2026-04-02', 'reject-new-clients')), token(), [canonical(T)]), false);
  });
});
