import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildAdvisoryIndex } from '../../../src/modules/scanner/engine/advisory-index.ts';
import { matchRanges } from '../../../src/modules/scanner/engine/affected-range.ts';
import { analyzeComponents } from '../../../src/modules/scanner/engine/analyze-components.ts';
import { compareVersions, isValidVersion, UnparseableVersionError } from '../../../src/modules/scanner/engine/compare-versions.ts';
import { parsePurl } from '../../../src/modules/scanner/engine/parse-purl.ts';
import { InvalidSbomError, readCycloneDx } from '../../../src/modules/scanner/engine/read-cyclonedx.ts';
import { loadBundledAdvisories, parseAdvisoryDataset } from '../../../src/modules/scanner/advisories/load-bundled-dataset.ts';

const sign = (n: number) => Math.sign(n);

describe('version comparison per ecosystem', () => {
  it('npm follows semver, prereleases before releases', () => {
    assert.equal(sign(compareVersions('npm', '4.17.20', '4.17.21')), -1);
    assert.equal(sign(compareVersions('npm', '4.17.21', '4.17.21')), 0);
    assert.equal(sign(compareVersions('npm', '10.0.0', '9.9.9')), 1);
    assert.equal(sign(compareVersions('npm', '5.0.0-alpha.1', '5.0.0')), -1);
    assert.equal(sign(compareVersions('npm', '5.0.0-alpha.2', '5.0.0-beta.3')), -1);
    assert.equal(isValidVersion('npm', '4.17'), false);
    assert.throws(() => compareVersions('npm', 'latest', '1.0.0'), UnparseableVersionError);
  });

  it('golang compares semver after the v prefix, pseudo-versions included', () => {
    assert.equal(sign(compareVersions('golang', 'v0.16.0', 'v0.17.0')), -1);
    assert.equal(sign(compareVersions('golang', 'v0.0.0-20230905200255-921286631fa9', 'v0.1.0')), -1);
    assert.equal(sign(compareVersions('golang', 'v0.16.0', '0.17.0')), -1);
    assert.equal(isValidVersion('golang', 'v1.2'), false);
  });

  it('pypi and maven fall back to segment ordering for non-semver versions', () => {
    assert.equal(sign(compareVersions('pypi', '3.2', '3.2.20')), -1);
    assert.equal(sign(compareVersions('pypi', '3.2.0', '3.2')), 0);
    assert.equal(sign(compareVersions('pypi', '4.1.10', '4.1.9')), 1);
    assert.equal(sign(compareVersions('pypi', '1.0rc1', '1.0')), -1);
    assert.equal(sign(compareVersions('pypi', '1.0.post1', '1.0')), 1);
    assert.equal(sign(compareVersions('maven', '2.0-beta9', '2.0')), -1);
    assert.equal(sign(compareVersions('maven', '2.0-beta9', '2.0-beta10')), -1);
    assert.equal(sign(compareVersions('maven', '2.12.6.1', '2.12.6')), 1);
    assert.equal(sign(compareVersions('maven', '31.1-jre', '32.0.0-jre')), -1);
    assert.equal(sign(compareVersions('maven', '2.14.1', '2.15.0')), -1);
  });

  it('deb follows dpkg: epochs, revisions and tilde', () => {
    assert.equal(sign(compareVersions('deb', '3.0.11-1~deb12u1', '3.0.13-1~deb12u1')), -1);
    assert.equal(sign(compareVersions('deb', '3.0.13-1~deb12u1', '3.0.13-1')), -1);
    assert.equal(sign(compareVersions('deb', '1:1.2.11.dfsg-2+deb11u1', '1:1.2.11.dfsg-2+deb11u2')), -1);
    assert.equal(sign(compareVersions('deb', '1.2.13.dfsg-1', '1:1.2.11.dfsg-2+deb11u2')), -1);
    assert.equal(sign(compareVersions('deb', '2.36-9+deb12u3', '2.36-9+deb12u10')), -1);
    assert.equal(sign(compareVersions('deb', '5.6.1+really5.4.5-1', '5.6.1-1')), 1);
    assert.equal(sign(compareVersions('deb', '1.0~rc1', '1.0')), -1);
    assert.equal(isValidVersion('deb', 'abc'), false);
  });

  it('every ordering is reflexive, antisymmetric and transitive (property)', () => {
    const part = fc.integer({ min: 0, max: 30 });
    const semverArb = fc.tuple(part, part, part).map(([a, b, c]) => `${a}.${b}.${c}`);
    const debArb = fc
      .tuple(fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), part, part, fc.constantFrom('', '~rc1', '+dfsg'), fc.option(part, { nil: undefined }))
      .map(([e, a, b, s, r]) => `${e === undefined ? '' : `${e}:`}${a}.${b}${s}${r === undefined ? '' : `-${r}`}`);
    const mavenArb = fc.tuple(part, part, fc.constantFrom('', '-beta1', '-rc2', '-jre', '.1')).map(([a, b, s]) => `${a}.${b}${s}`);
    for (const [eco, arb] of [['npm', semverArb], ['deb', debArb], ['maven', mavenArb]] as const) {
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          assert.equal(sign(compareVersions(eco, a, a)), 0);
          assert.equal(sign(compareVersions(eco, a, b)) + sign(compareVersions(eco, b, a)), 0);
        }),
      );
      fc.assert(
        fc.property(arb, arb, arb, (a, b, c) => {
          if (compareVersions(eco, a, b) <= 0 && compareVersions(eco, b, c) <= 0) assert.ok(compareVersions(eco, a, c) <= 0, `${a} <= ${b} <= ${c}`);
        }),
      );
    }
  });
});

describe('affected ranges', () => {
  it('introduced is inclusive, fixed exclusive, lastAffected inclusive', () => {
    const ranges = [{ introduced: '1.0.0', fixed: '1.2.6' }, { introduced: '0', lastAffected: '0.2.3' }];
    assert.deepEqual(matchRanges('npm', '1.2.5', ranges), { affected: true, fixedVersion: '1.2.6' });
    assert.deepEqual(matchRanges('npm', '1.0.0', ranges), { affected: true, fixedVersion: '1.2.6' });
    assert.deepEqual(matchRanges('npm', '1.2.6', ranges), { affected: false });
    assert.deepEqual(matchRanges('npm', '0.9.0', ranges), { affected: false });
    assert.deepEqual(matchRanges('npm', '0.2.3', ranges), { affected: true, fixedVersion: null });
    assert.deepEqual(matchRanges('npm', '0.2.4', ranges), { affected: false });
  });
});

describe('package URLs', () => {
  it('parses type, namespace, name and version', () => {
    assert.deepEqual(parsePurl('pkg:npm/%40babel/traverse@7.22.0'), { ok: true, purl: { type: 'npm', namespace: '@babel', name: 'traverse', version: '7.22.0' } });
    assert.deepEqual(parsePurl('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'), {
      ok: true,
      purl: { type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1' },
    });
    assert.deepEqual(parsePurl('pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64'), { ok: true, purl: { type: 'deb', namespace: 'debian', name: 'openssl', version: '3.0.11-1~deb12u1' } });
    assert.equal(parsePurl('lodash@4.17.20').ok, false);
  });
});

describe('the bundled advisory dataset', () => {
  it('loads and validates (ids unique, bounds valid, 30–60 advisories over five ecosystems)', () => {
    const advisories = loadBundledAdvisories();
    assert.ok(advisories.length >= 30 && advisories.length <= 60, `${advisories.length} advisories`);
    assert.deepEqual(new Set(advisories.map((a) => a.ecosystem)), new Set(['npm', 'pypi', 'maven', 'golang', 'deb']));
  });

  it('rejects an invalid bound and an inverted range', () => {
    const doc = (ranges: unknown) => ({
      version: 1,
      advisories: [{ id: 'GHSA-test-0001', package: { ecosystem: 'npm', name: 'x' }, severity: 'low', summary: 's', published: '2024-01-01', ranges }],
    });
    assert.throws(() => parseAdvisoryDataset(doc([{ introduced: '0', fixed: 'one' }])), /not a valid npm version/);
    assert.throws(() => parseAdvisoryDataset(doc([{ introduced: '2.0.0', fixed: '1.0.0' }])), /starts after it ends/);
  });
});

describe('CycloneDX reading', () => {
  it('flattens nested components and rejects other formats', () => {
    const components = readCycloneDx({
      bomFormat: 'CycloneDX',
      components: [{ name: 'a', version: '1', components: [{ name: 'b', purl: 'pkg:npm/b@1.0.0' }] }, { name: 'c' }],
    });
    assert.deepEqual(components.map((c) => c.name), ['a', 'b', 'c']);
    assert.equal(components[1].purl, 'pkg:npm/b@1.0.0');
    assert.throws(() => readCycloneDx({ bomFormat: 'SPDX' }), InvalidSbomError);
    assert.throws(() => readCycloneDx({ bomFormat: 'CycloneDX', components: [{ version: '1' }] }), InvalidSbomError);
  });
});

describe('analyzing components', () => {
  const index = buildAdvisoryIndex(loadBundledAdvisories());
  const analyze = (components: object[]) => analyzeComponents(readCycloneDx({ bomFormat: 'CycloneDX', components }), index);

  it('matches vulnerable versions across ecosystems and not fixed ones', () => {
    const result = analyze([
      { name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
      { name: 'lodash-fixed', version: '4.17.21', purl: 'pkg:npm/lodash@4.17.21' },
      { name: 'log4j-core', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
      { name: 'Django', purl: 'pkg:pypi/Django@4.2.1' },
      { name: 'net', purl: 'pkg:golang/golang.org/x/net@v0.10.0' },
      { name: 'openssl', purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64' },
      { name: 'zlib', purl: 'pkg:deb/debian/zlib@1:1.2.13.dfsg-1' },
      { name: 'traverse', purl: 'pkg:npm/%40babel/traverse@7.22.0' },
    ]);
    const byPackage = new Map<string, string[]>();
    for (const f of result.findings) byPackage.set(f.purl, [...(byPackage.get(f.purl) ?? []), f.advisoryId].sort());
    assert.deepEqual(byPackage.get('pkg:npm/lodash@4.17.20'), ['GHSA-35jh-r3h4-6jhm']);
    assert.equal(byPackage.get('pkg:npm/lodash@4.17.21'), undefined);
    assert.deepEqual(byPackage.get('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'), ['GHSA-7rjr-3q55-vv33', 'GHSA-jfh8-c2jp-5v3q']);
    assert.deepEqual(byPackage.get('pkg:pypi/Django@4.2.1'), ['GHSA-jh3w-4vvf-mjgr']);
    assert.deepEqual(byPackage.get('pkg:golang/golang.org/x/net@v0.10.0'), ['GHSA-qppj-fm5r-hxr3']);
    assert.deepEqual(byPackage.get('pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64'), ['CVE-2024-0727']);
    assert.equal(byPackage.get('pkg:deb/debian/zlib@1:1.2.13.dfsg-1'), undefined, 'epoch 1 and a later upstream are past the fix');
    assert.deepEqual(byPackage.get('pkg:npm/%40babel/traverse@7.22.0'), ['GHSA-67hx-6x53-jw92']);
    assert.equal(result.findings[0].severity, 'critical', 'most severe first');
    assert.equal(result.unknowns.length, 0);
    assert.equal(result.componentCount, 8);
    const lodash = result.findings.find((f) => f.advisoryId === 'GHSA-35jh-r3h4-6jhm')!;
    assert.equal(lodash.fixedVersion, '4.17.21');
  });

  it('turns unidentifiable components into unknowns with evidence', () => {
    const result = analyze([
      { name: 'vendored-blob', version: '1.0', 'bom-ref': 'ref-1' },
      { name: 'broken', purl: 'npm:lodash@1' },
      { name: 'gem', purl: 'pkg:gem/rails@7.0.0' },
      { name: 'noversion', purl: 'pkg:npm/left-pad' },
      { name: 'weird', purl: 'pkg:npm/left-pad@latest' },
      { name: 'vendored-blob', version: '1.0', 'bom-ref': 'ref-2' },
    ]);
    assert.deepEqual(result.unknowns.map((u) => [u.name, u.reason]), [
      ['vendored-blob', 'missing_purl'],
      ['broken', 'invalid_purl'],
      ['gem', 'unsupported_ecosystem'],
      ['noversion', 'missing_version'],
      ['weird', 'unparseable_version'],
    ]);
    const blob = result.unknowns[0];
    assert.deepEqual(blob.evidence.component, { name: 'vendored-blob', version: '1.0', purl: null, type: null, bomRef: 'ref-1', group: null });
    assert.match(result.unknowns[2].detail, /"gem"/);
    assert.equal(result.findings.length, 0);
  });
});
