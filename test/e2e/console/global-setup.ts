/**
 * Global setup of the browser tenant matrix (playwright.config.ts):
 *
 * - TENANTGATE_CONSOLE_FIXTURES set: the caller (`tenantgate console-matrix run`) provisioned
 *   the synthetic tenants and users and removes them; nothing to do but check Chromium.
 * - TENANTGATE_CONSOLE_GATEWAY set: provisions them on that deployment with the fleet-operator
 *   client TENANTGATE_CONSOLE_CLIENT (default tenantgate-admin) and TENANTGATE_CONSOLE_SECRET
 *   (or TENANTGATE_MATRIX_SECRET), and removes them afterwards.
 * - neither: starts a whole stack (PostgreSQL too unless TENANTGATE_TEST_ADMIN_URL names one)
 *   serving the console build, provisions on it, and stops it afterwards.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionConsoleMatrix, removeConsoleMatrix, type AdminCredential } from '../../../src/matrix/console-fixtures.ts';
import { startTestStack } from '../../support/stack.ts';
import { startTestPostgres } from '../../support/test-postgres.ts';
import { ensureChromium } from '../support/chromium.ts';
import { ensureConsoleBuild } from '../support/console-build.ts';
import { consoleMatrixEnv } from './fixtures.ts';

export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
  ensureChromium();
  if (process.env[consoleMatrixEnv.fixtures]) return;
  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async () => {
    const problems: string[] = [];
    for (const step of cleanups.reverse()) await step().catch((err: unknown) => problems.push(err instanceof Error ? err.message : String(err)));
    if (problems.length) throw new Error(`console matrix teardown: ${problems.join('; ')}`);
  };
  try {
    let gateway = process.env[consoleMatrixEnv.gateway]?.replace(/\/$/, '');
    let admin: AdminCredential;
    if (gateway) {
      const secret = process.env[consoleMatrixEnv.secret] ?? process.env.TENANTGATE_MATRIX_SECRET;
      if (!secret) throw new Error(`${consoleMatrixEnv.gateway} is set: give the fleet operator's secret in ${consoleMatrixEnv.secret} (client ${consoleMatrixEnv.client}, default tenantgate-admin)`);
      admin = { clientId: process.env[consoleMatrixEnv.client] ?? 'tenantgate-admin', secret };
    } else {
      if (!process.env.TENANTGATE_TEST_ADMIN_URL) {
        const pg = await startTestPostgres();
        cleanups.push(pg.stop);
        process.env.TENANTGATE_TEST_ADMIN_URL = pg.url;
        process.env.TENANTGATE_TEST_TMP = pg.base;
      }
      const ts = await startTestStack({ overrides: { 'gateway.consoleDir': ensureConsoleBuild(), 'server.logLevel': 'warn' } });
      cleanups.push(ts.stop);
      gateway = ts.url('gateway');
      admin = { clientId: 'tenantgate-admin', secret: ts.credentials.clients['tenantgate-admin']?.secret ?? '' };
    }
    const fixtures = await provisionConsoleMatrix(gateway, admin);
    const target = gateway;
    cleanups.push(async () => {
      const problems = await removeConsoleMatrix(target, admin, fixtures.runId);
      if (problems.length) throw new Error(problems.join('; '));
    });
    // The file holds the synthetic users' passwords: private, and removed afterwards.
    const dir = mkdtempSync(join(tmpdir(), 'tenantgate-console-matrix-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'fixtures.json');
    writeFileSync(file, JSON.stringify(fixtures, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    process.env[consoleMatrixEnv.fixtures] = file;
    return teardown;
  } catch (err) {
    await teardown().catch(() => undefined);
    throw err;
  }
}
