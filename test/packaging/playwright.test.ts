import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));

describe('Playwright packages', () => {
  it('@playwright/test and playwright-core are pinned to one exact version, and the lockfile holds one copy of each', () => {
    const runner = pkg.devDependencies['@playwright/test'];
    assert.match(runner, /^1\.65\.\d+$/, 'an exact 1.65.x pin');
    assert.equal(pkg.devDependencies['playwright-core'], runner);
    const copies = (name: string) => Object.entries(lock.packages as Record<string, { version: string }>).filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
    for (const name of ['@playwright/test', 'playwright', 'playwright-core']) {
      assert.deepEqual(copies(name).map(([, p]) => p.version), [runner], name);
    }
  });

  it('no Playwright package has an install script: `npm ci` downloads no browser (Debian Chromium is used)', () => {
    for (const [path, p] of Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)) {
      if (/node_modules\/(@playwright\/|playwright)/.test(path)) assert.notEqual(p.hasInstallScript, true, path);
    }
    const config = readFileSync(join(root, 'playwright.config.ts'), 'utf8');
    assert.match(config, /executablePath: CHROMIUM_PATH/);
  });
});
