/**
 * `npm ci` on Node 20 warns about no package: every installed package accepts the lowest
 * Node.js our own `engines` field admits, and the one running the tests.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import semver from 'semver';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

describe('Node.js engines', () => {
  const lowest = semver.minVersion(pkg.engines.node)!.version;

  it('our engines range admits Node.js 20', () => {
    assert.equal(semver.major(lowest), 20);
    assert.ok(semver.satisfies(process.versions.node, pkg.engines.node), `running ${process.versions.node}, engines ${pkg.engines.node}`);
  });

  it(`every installed package accepts Node.js ${lowest} and the running ${process.versions.node}`, () => {
    const refusing: string[] = [];
    for (const [path, meta] of Object.entries(lock.packages)) {
      const range = !Array.isArray(meta.engines) ? meta.engines?.node : undefined;
      if (!path || !range || !existsSync(join(root, path))) continue; // optional packages of other platforms
      for (const version of [lowest, process.versions.node]) {
        if (!semver.satisfies(version, range, { includePrerelease: true })) refusing.push(`${path.replace(/^.*node_modules\//, '')} wants ${range}, not ${version}`);
      }
    }
    assert.deepEqual(refusing, []);
  });
});
