/**
 * The README's Operations section states the settings every instance of a fleet must share:
 * the ones tokens, sealed keys and identity assertions depend on are there, and each key it
 * names is a real setting.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findUnknownSettings } from '../../src/config/unknown-settings.ts';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const deployment = readFileSync(join(root, 'docs', 'deployment.md'), 'utf8');

function sharedSettingsTable(): { setting: string; why: string }[] {
  const operations = readme.slice(readme.indexOf('\n## Operations'));
  const start = operations.indexOf('**Settings every instance shares.**');
  assert.ok(start > 0, 'the Operations section has a "Settings every instance shares" paragraph');
  const lines = operations.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'));
  // The first table after the paragraph, without its header and separator rows.
  const rows = lines.slice(first + 2, end);
  const table = rows.map((row) => {
    const [setting, why] = row.slice(1, -1).split(' | ').map((c) => c.trim());
    return { setting, why };
  });
  return table;
}

function treeOf(path: string): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  let node = tree;
  const parts = path.split('.');
  for (const p of parts.slice(0, -1)) node = (node[p] = {}) as Record<string, unknown>;
  node[parts[parts.length - 1]] = 'x';
  return tree;
}

describe("README Operations: the settings every instance shares", () => {
  const table = sharedSettingsTable();
  const named = table.flatMap((r) => [...r.setting.matchAll(/`([a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)+)`/g)].map((m) => m[1]));

  it('lists the issuer, audience, key-encryption key, public URL, database and profile', () => {
    for (const key of ['authority.issuer', 'authority.audience', 'secrets.keyEncryptionKey', 'server.publicUrl', 'database.runtimeUrl', 'rollout.policyFile']) {
      assert.ok(named.includes(key), `${key} is in the table (has ${named.join(', ')})`);
    }
    assert.ok(table.some((r) => /`profile`/.test(r.setting)), 'the contract profile is in the table');
  });

  it('names only real settings', () => {
    assert.ok(named.length >= 6);
    for (const key of named) assert.deepEqual(findUnknownSettings(treeOf(key)), [], `${key} is a setting`);
  });

  it('says why the issuer must be set explicitly: each instance derives it from its own port', () => {
    const issuer = table.find((r) => r.setting.includes('`authority.issuer`'));
    assert.ok(issuer);
    assert.match(issuer.why, /--port/);
    assert.match(issuer.why, /set it explicitly/);
  });
});

describe('which instance holds the migrator\'s URL, as the docs say it', () => {
  it('README: components run with the runtime URL; only the migration job holds DATABASE_URL', () => {
    const operations = readme.slice(readme.indexOf('\n## Operations'));
    const separately = operations.slice(operations.indexOf('**Running components separately.**'), operations.indexOf('**All the cores.**')).replace(/\s+/g, ' ');
    assert.match(separately, /with the runtime role's `database\.runtimeUrl`/);
    assert.match(separately, /Only the migration job holds the migrator's `DATABASE_URL`/);
    assert.doesNotMatch(separately.slice(0, separately.indexOf('Only the migration job')), /DATABASE_URL|database\.url\b/);
  });

  it('docs/deployment.md: no component row holds database.url; the migration job does', () => {
    const section = deployment.slice(deployment.indexOf('## Which instance holds which credential'));
    const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| instance'));
    const component = rows.filter((r) => /^\| (Authority|gateway|platform, scanner, graph) \|/.test(r));
    assert.equal(component.length, 3, rows.join('\n'));
    for (const row of component) assert.doesNotMatch(row, /DATABASE_URL|database\.url\b/, row);
    assert.match(rows.find((r) => r.startsWith('| migration job')) ?? '', /`DATABASE_URL` \(`database\.url`\)/);
  });
});
