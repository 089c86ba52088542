/**
 * The gateway's JWKS refresh interval as docs/gateway.md states it is the one the code uses:
 * the formula, the figure for the default cooldown, and the default in the settings table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateConfig } from '../../src/config/load.ts';
import { jwksRefreshIntervalMs } from '../../src/gateway/jwks-cache.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'gateway.md'), 'utf8').replace(/\s+/g, ' ');
const defaultCooldownMs = validateConfig({}).gateway.jwksCooldownMs;

describe('the JWKS refresh interval in docs/gateway.md', () => {
  it('states the formula the gateway uses', () => {
    const stated = /then again every `max\((\d+) × gateway\.jwksCooldownMs, (\d+) s\)`/.exec(doc);
    assert.ok(stated, 'docs/gateway.md states the refresh formula');
    const [factor, floorSeconds] = [Number(stated[1]), Number(stated[2])];
    for (const cooldownMs of [1_000, 5_000, 6_000, 30_000, 120_000]) {
      assert.equal(jwksRefreshIntervalMs(cooldownMs), Math.max(factor * cooldownMs, floorSeconds * 1000), `cooldown ${cooldownMs} ms`);
    }
  });

  it('gives the interval of the default cooldown, and that default', () => {
    const stated = /— every (\d+) minutes with the default cooldown of (\d+) s/.exec(doc);
    assert.ok(stated, 'docs/gateway.md gives the default interval');
    assert.equal(Number(stated[2]) * 1000, defaultCooldownMs);
    assert.equal(Number(stated[1]) * 60_000, jwksRefreshIntervalMs(defaultCooldownMs));
    assert.match(doc, new RegExp(`\\| \`gateway\\.jwksCooldownMs\` \\| ${defaultCooldownMs} \\|`));
  });
});
