import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, envTree, loadConfig, redactedConfig } from '../../src/config/load.ts';
import { envName, findUnknownSettings } from '../../src/config/unknown-settings.ts';
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

  it('gateway.workers: unset by default, a whole number from 1, refused otherwise with what is allowed', () => {
    assert.equal(loadConfig({ cwd: dirWith({}), env: {} }).gateway.workers, undefined, 'the command decides: one per CPU for `gateway`, 1 under `up`');
    assert.equal(loadConfig({ cwd: dirWith({}), env: { TENANTGATE_GATEWAY__WORKERS: '4' } }).gateway.workers, 4);
    assert.equal(loadConfig({ cwd: dirWith({}), env: {}, overrides: { 'gateway.workers': 1 } }).gateway.workers, 1);
    const refused: [unknown, RegExp][] = [
      [0, /gateway\.workers = 0: expected at least 1 gateway process/],
      [-2, /gateway\.workers = -2: expected at least 1 gateway process/],
      [1.5, /gateway\.workers = 1\.5: expected a whole number of gateway processes, at least 1/],
      ['two', /gateway\.workers = "two": expected a whole number of gateway processes, at least 1/],
      [1000, /gateway\.workers = 1000: expected at most 256 gateway processes/],
    ];
    for (const [value, message] of refused) {
      assert.throws(
        () => loadConfig({ cwd: dirWith({}), env: {}, overrides: { 'gateway.workers': value } }),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
        `gateway.workers = ${JSON.stringify(value)}`,
      );
    }
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
    assert.match(printed, /"url":"postgres:\/\/admin:\[redacted\]@db\/tg"/);
  });

  it('config print redacts every secret-named setting and the password inside any URL', () => {
    const c = loadConfig({
      cwd: dirWith({
        'tenantgate.config.json': JSON.stringify({
          database: { runtimeUrl: 'postgresql://app:s3cr%40t@db:5432/tg?sslmode=require', listenUrl: 'host=db user=app password=libpqpass dbname=tg', runtimePassword: 'rtpass' },
          gateway: { upstreams: { graph: 'http://svc:upstreampass@graph.internal:9000/', scanner: 'http://scanner.internal:9001/?token=querytoken&x=1' }, authorityUrl: 'https://ops:authpass@authority.internal/' },
          rollout: { matrixSecret: 'matrixpass', matrixGateway: 'https://u:gatewaypass@gw.example/' },
          server: { publicUrl: 'https://user@console.example/' },
        }),
      }),
      env: {},
    });
    const printed = JSON.stringify(redactedConfig(c));
    for (const secret of ['s3cr%40t', 'libpqpass', 'rtpass', 'upstreampass', 'querytoken', 'authpass', 'matrixpass', 'gatewaypass']) {
      assert.ok(!printed.includes(secret), `${secret} is printed`);
    }
    const tree = redactedConfig(c) as any;
    assert.equal(tree.gateway.upstreams.graph, 'http://svc:[redacted]@graph.internal:9000/');
    assert.equal(tree.gateway.upstreams.scanner, 'http://scanner.internal:9001/?token=[redacted]&x=1');
    assert.equal(tree.database.listenUrl, 'host=db user=app password=[redacted] dbname=tg');
    assert.equal(tree.server.publicUrl, 'https://user@console.example/');
    // Not secrets, though their names mention a key or a token: numbers and header names stay visible.
    assert.equal(tree.authority.keyRefreshMs, c.authority.keyRefreshMs);
    assert.equal(tree.gateway.tokenCacheSize, c.gateway.tokenCacheSize);
    assert.equal(tree.profile.identityHeader, 'X-StellaOps-Identity');
  });

  it('the secret-name rule covers names no list mentions', async () => {
    const { isSecretName, redactTree } = await import('../../src/config/redact.ts');
    for (const name of ['clientSecret', 'apiKey', 'api_key', 'privateKey', 'accessToken', 'smtpPassword', 'passwordFile', 'credentials', 'keyEncryptionKey']) assert.ok(isSecretName(name), name);
    for (const name of ['keyRefreshMs', 'tokenCacheSize', 'accessTokenTtlSeconds', 'host', 'identityHeader', 'identityKeyRefreshMs']) assert.ok(!isSecretName(name), name);
    assert.deepEqual(redactTree({ future: { webhookSigningKey: 'x', nested: [{ bearerToken: 'y' }] } }), { future: { webhookSigningKey: '[redacted]', nested: [{ bearerToken: '[redacted]' }] } });
  });

  it('an invalid secret setting is reported without its value', () => {
    assert.throws(
      () => loadConfig({ cwd: dirWith({ 'tenantgate.config.json': JSON.stringify({ rollout: { matrixSecret: '' } }) }), env: {} }),
      (err: unknown) => err instanceof ConfigError && err.message.includes('rollout.matrixSecret = "[redacted]"'),
    );
  });

  it('an unknown key in the file is an error naming the file and the nearest setting', () => {
    const cwd = dirWith({ 'tenantgate.config.json': JSON.stringify({ server: { bsePort: 9000 } }) });
    assert.throws(
      () => loadConfig({ cwd, env: {} }),
      (err: unknown) => err instanceof ConfigError && err.message === 'unknown setting server.bsePort in tenantgate.config.json; did you mean server.basePort?',
    );
    const yaml = dirWith({ 'other.yaml': 'servr:\n  host: 0.0.0.0\ngateway:\n  routes:\n    - { prefix: /x, upstream: graph, access: public, prefx: /y }\n' });
    assert.throws(
      () => loadConfig({ cwd: yaml, file: 'other.yaml', env: {} }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message ===
          'unknown setting servr.host in other.yaml; did you mean server.host?\n' +
            'unknown setting gateway.routes.0.prefx in other.yaml; did you mean gateway.routes.0.prefix?',
    );
  });

  it('an unknown key from a TENANTGATE_ variable names the variable and the one that was meant', () => {
    assert.throws(
      () => loadConfig({ cwd: dirWith({}), env: { TENANTGATE_SERVER__BSE_PORT: '9000' } }),
      (err: unknown) =>
        err instanceof ConfigError && err.message === 'unknown setting server.bsePort from TENANTGATE_SERVER__BSE_PORT; did you mean server.basePort (TENANTGATE_SERVER__BASE_PORT)?',
    );
    assert.throws(() => loadConfig({ cwd: dirWith({}), env: { TENANTGATE_SERVR__HOST: 'x' } }), /unknown setting servr\.host from TENANTGATE_SERVR__HOST; did you mean server\.host/);
  });

  it('TENANTGATE_ variables of other tools (test harness, revert hook, doc images) are not settings', () => {
    const env = { TENANTGATE_TEST_ADMIN_URL: 'postgres://x', TENANTGATE_TEST_TMP: '/tmp', TENANTGATE_TEST_CONCURRENCY: '2', TENANTGATE_STATE_DIR: '.tenantgate', TENANTGATE_UPDATE_DOC_IMAGES: '1' };
    assert.deepEqual(envTree(env), {});
    assert.equal(loadConfig({ cwd: dirWith({}), env }).server.basePort, 8080);
    assert.equal(loadConfig({ cwd: dirWith({}), env: { TENANTGATE_MATRIX_SECRET: 's3cret' } }).rollout.matrixSecret, 's3cret');
  });

  it('an unknown key from --set is an error; records take any key', () => {
    assert.throws(
      () => loadConfig({ cwd: dirWith({}), env: {}, overrides: { 'secrets.keyEncryptonKey': 'x' } }),
      (err: unknown) => err instanceof ConfigError && err.message === 'unknown setting secrets.keyEncryptonKey from --set; did you mean secrets.keyEncryptionKey?',
    );
    const c = loadConfig({ cwd: dirWith({}), env: {}, overrides: { 'gateway.upstreams.billing': 'http://billing.internal:9000' } });
    assert.equal(c.gateway.upstreams.billing, 'http://billing.internal:9000');
  });

  it('every unknown key is listed, each with its source', () => {
    const cwd = dirWith({ 'tenantgate.config.yaml': 'demo:\n  seeed: false\n' });
    assert.throws(
      () => loadConfig({ cwd, env: { TENANTGATE_DATABASE__PORT: '5432' }, overrides: { loglevel: 'debug' } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message ===
          [
            'unknown setting demo.seeed in tenantgate.config.yaml; did you mean demo.seed?',
            'unknown setting database.port from TENANTGATE_DATABASE__PORT; did you mean database.embeddedPort (TENANTGATE_DATABASE__EMBEDDED_PORT)?',
            'unknown setting loglevel from --set; did you mean server.logLevel?',
          ].join('\n'),
    );
  });

  it('nearest setting: typos, case, shortened and misplaced keys', () => {
    const nearest = (path: string) => findUnknownSettings(treeOf(path))[0]?.suggestion;
    assert.equal(nearest('server.baseport'), 'server.basePort');
    assert.equal(nearest('server.port'), 'server.basePort');
    assert.equal(nearest('modules.trustLoopback'), 'modules.trustLoopbackWithoutEnvelope');
    assert.equal(nearest('gateway.timeout'), 'gateway.upstreamTimeoutMs');
    assert.equal(nearest('authority.rateLimit.perClient'), 'authority.rateLimit.perClientPerMinute');
    assert.deepEqual(findUnknownSettings(treeOf('server.basePort')), []);
    assert.equal(envName('modules.trustLoopbackWithoutEnvelope'), 'TENANTGATE_MODULES__TRUST_LOOPBACK_WITHOUT_ENVELOPE');
  });
});

function treeOf(path: string): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  let node = tree;
  const parts = path.split('.');
  for (const part of parts.slice(0, -1)) node = (node[part] = {}) as Record<string, unknown>;
  node[parts[parts.length - 1]] = 1;
  return tree;
}
