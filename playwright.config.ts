/**
 * The browser tenant matrix (test/e2e/console) in Playwright Test: every case on a desktop
 * and a phone, in Debian's Chromium (no browser download), with an HTML report, JUnit (each
 * case prefixed with its project) and JSON, and traces and screenshots of failures.
 *
 *   npx playwright test                                   # starts a stack of its own
 *   TENANTGATE_CONSOLE_GATEWAY=URL TENANTGATE_CONSOLE_SECRET=S npx playwright test
 *   npx tenantgate console-matrix run --gateway URL --out DIR   # the same, as readiness evidence
 *
 * Reports go to TENANTGATE_CONSOLE_OUT (default test-artifacts/console-matrix).
 */
import { join, resolve } from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/e2e/support/chromium.ts';

const out = resolve(process.env.TENANTGATE_CONSOLE_OUT ?? 'test-artifacts/console-matrix');
const launchOptions = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS };

export default defineConfig({
  testDir: 'test/e2e/console',
  testMatch: '*.spec.ts',
  globalSetup: './test/e2e/console/global-setup.ts',
  outputDir: join(out, 'test-results'),
  timeout: 120_000,
  expect: { timeout: 20_000 },
  retries: 0,
  workers: Number(process.env.TENANTGATE_CONSOLE_WORKERS ?? 2),
  fullyParallel: true,
  forbidOnly: true,
  maxFailures: Number(process.env.TENANTGATE_CONSOLE_MAX_FAILURES ?? 0),
  reporter: [
    ['list'],
    ['html', { outputFolder: join(out, 'html-report'), open: 'never' }],
    ['junit', { outputFile: join(out, 'junit.xml'), includeProjectInTestName: true }],
    ['json', { outputFile: join(out, 'results.json') }],
  ],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], launchOptions } },
    // The phone runs every case but those tagged @one-viewport (keyboard, graph drawing, refresh, sign-out, roles, timings).
    { name: 'mobile', use: { ...devices['Pixel 7'], launchOptions }, grepInvert: /@one-viewport/ },
  ],
});
