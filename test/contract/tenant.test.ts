import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatTenantSet, isNormalizedTenantId, normalizeTenantId, parseTenantSet } from '../../src/contract/tenant.ts';

describe('normalizeTenantId (CONTRACT.md §2)', () => {
  it('accepts a normalized id unchanged', () => {
    for (const id of ['tenant-alpha', 'a', '0', 'a.b', 'a_b', 'a:b', 'a-b', '9lives', 'x.y_z:1-2']) assert.equal(normalizeTenantId(id), id);
  });

  it('lower-cases ASCII letters', () => {
    assert.equal(normalizeTenantId('Tenant-ALPHA'), 'tenant-alpha');
    assert.equal(normalizeTenantId('ABC'), 'abc');
  });

  it('trims surrounding ASCII whitespace (space, tab, CR, LF)', () => {
    assert.equal(normalizeTenantId('  tenant-alpha  '), 'tenant-alpha');
    assert.equal(normalizeTenantId('\ttenant-alpha\r\n'), 'tenant-alpha');
  });

  it('rejects internal whitespace', () => {
    for (const v of ['tenant alpha', 'tenant\talpha', 'tenant\nalpha', 'a b']) assert.equal(normalizeTenantId(v), null, JSON.stringify(v));
  });

  it('rejects empty and whitespace-only values', () => {
    for (const v of ['', ' ', '\t', '\r\n']) assert.equal(normalizeTenantId(v), null);
  });

  it('accepts 128 characters and rejects 129', () => {
    const ok = 'a'.repeat(128);
    assert.equal(normalizeTenantId(ok), ok);
    assert.equal(normalizeTenantId('a'.repeat(129)), null);
    assert.equal(normalizeTenantId(' ' + ok + ' '), ok, 'trimmed whitespace does not count');
  });

  it('requires a letter or digit first', () => {
    for (const v of ['-a', '.a', '_a', ':a']) assert.equal(normalizeTenantId(v), null);
  });

  it('rejects characters outside the alphabet', () => {
    for (const v of ['a/b', 'a@b', 'a+b', 'a=b', 'a\u0000b', 'a\u007fb', 'a"b', "a'b", 'a%20b']) assert.equal(normalizeTenantId(v), null, JSON.stringify(v));
  });

  it('rejects Unicode look-alikes and never applies Unicode case folding', () => {
    assert.equal(normalizeTenantId('ｔｅｎａｎｔ-alpha'), null, 'fullwidth letters');
    assert.equal(normalizeTenantId('Ｔenant'), null, 'fullwidth capital');
    assert.equal(normalizeTenantId('İstanbul'), null, 'dotted capital I (toLowerCase would give i̇)');
    assert.equal(normalizeTenantId('tenant-\u0430lpha'), null, 'Cyrillic а');
    assert.equal(normalizeTenantId('tenant-alpha\u00a0'), null, 'no-break space is not ASCII whitespace');
    assert.equal(normalizeTenantId('\u212aelvin'), null, 'Kelvin sign');
  });

  it('rejects comma- and semicolon-joined values', () => {
    assert.equal(normalizeTenantId('tenant-alpha,tenant-bravo'), null);
    assert.equal(normalizeTenantId('tenant-alpha;tenant-bravo'), null);
  });

  it('rejects non-strings', () => {
    for (const v of [null, undefined, 1, ['tenant-alpha'], { id: 'a' }, true]) assert.equal(normalizeTenantId(v), null);
  });

  it('property: the output is null or satisfies the pattern, and normalizing twice is stable', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 140 }), (s) => {
        const n = normalizeTenantId(s);
        if (n === null) return true;
        return isNormalizedTenantId(n) && normalizeTenantId(n) === n;
      }),
    );
  });
});

describe('parseTenantSet (CONTRACT.md §2)', () => {
  it('splits on space, tab, CR, LF, comma and semicolon', () => {
    assert.deepEqual(parseTenantSet('b a\tc\rd\ne,f;g'), { ok: true, tenants: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] });
  });

  it('normalizes members, drops duplicates and sorts by byte order', () => {
    assert.deepEqual(parseTenantSet('Tenant-Bravo tenant-alpha TENANT-BRAVO'), { ok: true, tenants: ['tenant-alpha', 'tenant-bravo'] });
    assert.deepEqual(parseTenantSet('b-1 a.2 a-2 A_2'), { ok: true, tenants: ['a-2', 'a.2', 'a_2', 'b-1'] });
  });

  it('accepts an array of strings, each itself splittable', () => {
    assert.deepEqual(parseTenantSet(['b', 'a c']), { ok: true, tenants: ['a', 'b', 'c'] });
  });

  it('rejects the whole set when one member is malformed', () => {
    const r = parseTenantSet('tenant-alpha ｔenant tenant-bravo');
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.malformed, ['ｔenant']);
    assert.equal(parseTenantSet(['a', 'b'.repeat(129)]).ok, false);
  });

  it('empty input is the empty set', () => {
    assert.deepEqual(parseTenantSet(''), { ok: true, tenants: [] });
    assert.deepEqual(parseTenantSet(' ,; '), { ok: true, tenants: [] });
    assert.deepEqual(parseTenantSet(null), { ok: true, tenants: [] });
  });

  it('formatTenantSet writes space-delimited, unique, sorted', () => {
    assert.equal(formatTenantSet(['c', 'a', 'b', 'a']), 'a b c');
    assert.equal(formatTenantSet([]), '');
  });

  it('property: parse(format(parse(x))) = parse(x)', () => {
    const member = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._:-]{0,20}$/);
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), fc.constantFrom(' ', ',', ';', '\t', '\n'), (members, sep) => {
        const first = parseTenantSet(members.join(sep));
        assert.equal(first.ok, true);
        if (!first.ok) return;
        assert.deepEqual(parseTenantSet(formatTenantSet(first.tenants)), first);
        assert.deepEqual([...first.tenants].sort(), first.tenants);
        assert.equal(new Set(first.tenants).size, first.tenants.length);
      }),
    );
  });
});
