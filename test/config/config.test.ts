import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, envTree, loadConfig, redactedConfig } from '../../src/config/load.ts';
import { componentPort, issuer } from '../../src/config/schema.ts';
import { testTmp } from '../support/env.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(testTmp(), 'config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('configuration', () => {
  it('defaults: loopback, gateway on 8080 and components on the next ports, embedded database', () => {
    const c = loadConfig({ cwd: dirWith({}), env: {} });
    assert.equal(c.server.host, '127.0.0.1');
    assert.deepEqual(['gateway', 'authority', 'platform', 'scanner', 'graph'].map((n) => componentPort(c, n as any)), [8080, 8081, 8082, 8083, 8084]);
    assert.equal(c.database.url, undefined);
    assert.equal(c.profile.canonicalTenantHeader, 'X-StellaOps-Tenant');
    assert.equal(issuer(c), 'http://127.0.0.1:8080');
  });

  it('precedence: defaults < file < TENANTGATE_* env < CLI overrides', () => {
    const cwd = dirWith({ 'tenantgate.config.yaml': 'server:\n  basePort: 9000\n  logLevel: warn\ngateway:\n  upstreamTimeoutMs: 1000\n' });
    const fileOnly = loadConfig({ cwd, env: {} });
    assert.equal(fileOnly.server.basePort, 9000);
    assert.equal(fileOnly.gateway.upstreamTimeoutMs, 1000);
    const withEnv = loadConfig({ cwd, env: { TENANTGATE_SERVER__BASE_PORT: '9100', TENANTGATE_GATEWAY__UPSTREAM_TIMEOUT_MS: '2000' } });
    assert.equal(withEnv.server.basePort, 9100);
    assert.equal(withEnv.server.logLevel, 'warn');
    assert.equal(withEnv.gateway.upstreamTimeoutMs, 2000);
    const withCli = loadConfig({ cwd, env: { TENANTGATE_SERVER__BASE_PORT: '9100' }, overrides: { 'server.basePort': 9200 } });
    assert.equal(withCli.server.basePort, 9200);
  });

  it('JSON config files work too, and DATABASE_URL selects an external server', () => {
    const cwd = dirWith({ 'tenantgate.config.json': JSON.stringify({ authority: { accessTokenTtlSeconds: 300 } }) });
    const c = loadConfig({ cwd, env: { DATABASE_URL: 'postgres://u:p@db.internal:5432/tg' } });
    assert.equal(c.authority.accessTokenTtlSeconds, 300);
    assert.equal(c.database.url, 'postgres://u:p@db.internal:5432/tg');
  });

  it('a bad value fails with the key, the value and what is allowed', () => {
    assert.throws(
      () => loadConfig({ cwd: dirWith({}), env: { TENANTGATE_SERVER__BASE_PORT: '70000' } }),
      (err: unknown) => err instanceof ConfigError && /server\.basePort = 70000: .*(65535|too big)/i.test(err.message),
    );
    assert.throws(
      () => loadConfig({ cwd: dirWith({}), env: {}, overrides: { 'authority.signingAlgorithm': 'HS256' } }),
      (err: unknown) => err instanceof ConfigError && /authority\.signingAlgorithm = "HS256": .*EdDSA.*ES256/.test(err.message),
    );
    assert.throws(() => loadConfig({ cwd: dirWith({ 'tenantgate.config.yaml': 'server: [1, 2' }), env: {} }), /is not valid/);
  });

  it('env names map to nested camel-case keys', () => {
    assert.deepEqual(envTree({ TENANTGATE_MODULES__TRUST_LOOPBACK_WITHOUT_ENVELOPE: 'true', OTHER: 'x' }), { modules: { trustLoopbackWithoutEnvelope: true } });
  });

  it('config print redacts secrets', () => {
    const c = loadConfig({
      cwd: dirWith({}),
      env: { DATABASE_URL: 'postgres://admin:hunter2@db/tg', TENANTGATE_SECRETS__KEY_ENCRYPTION_KEY: 'k'.repeat(43) },
    });
    const printed = JSON.stringify(redactedConfig(c));
    assert.ok(!printed.includes('hunter2'));
    assert.ok(!printed.includes('k'.repeat(43)));
    assert.match(printed, /"url":"\[redacted\]"/);
  });
});
