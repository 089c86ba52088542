/**
 * The Rollout page's sign-offs in real Chromium against a test stack: the fleet operator
 * sees which owner roles of `contract-accepted` are missing, signs off for one of them from
 * the page, and the controller records it under that role (the table then shows the signer
 * and the role no longer missing). A tenant user gets no sign-off form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { readSignoffs } from '../../src/rollout/state/read-state.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { CHROMIUM_ARGS, ensureChromium } from './support/chromium.ts';
import { ensureConsoleBuild } from './support/console-build.ts';
import { signIn, waitForTenantPage } from './support/console-page.ts';

const ALPHA = 'tenant-alpha';

describe('console: owner sign-offs on the Rollout page (desktop)', () => {
  let ts: TestStack;
  let browser: Browser;

  before(async () => {
    ts = await startTestStack({ overrides: { 'gateway.consoleDir': ensureConsoleBuild(), 'server.logLevel': 'warn' } });
    browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await ts?.stop();
  });

  test('the operator signs off for the Router owner; the table and the controller agree', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    try {
      const page = await context.newPage();
      await signIn(page, ts.url('gateway'), 'ops', ts.credentials.users.ops.password, `/rollout?tenant=${ALPHA}`);
      await waitForTenantPage(page, ALPHA, ['Sign-offs', 'contract-accepted']);
      const section = page.locator('section', { has: page.getByRole('heading', { name: 'Sign-offs' }) });
      const row = section.locator('tr', { hasText: 'contract-accepted' });
      assert.match((await row.textContent()) ?? '', /nobody yet.*Authority, Router, Platform, Scanner, Graph, Web/);

      await section.getByRole('button', { name: 'Sign off…' }).click();
      const form = section.getByRole('form', { name: 'Sign off' });
      await form.getByLabel('Criterion — owner role').selectOption('contract-accepted — Router');
      await form.getByLabel('Signed by (name)').fill('Rui Costa');
      await form.getByRole('button', { name: 'Sign off' }).click();
      await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('Router (Rui Costa)'), undefined, { timeout: 10_000 });
      const after = (await row.textContent()) ?? '';
      assert.match(after, /Router \(Rui Costa\)/);
      assert.match(after, /Authority, Platform, Scanner, Graph, Web$/, 'Router is no longer missing');

      const recorded = await readSignoffs(ts.t.db, 0);
      assert.deepEqual(recorded.map((s) => [s.criterion, s.owner, s.signedBy]), [['contract-accepted', 'Router', 'Rui Costa']]);
    } finally {
      await context.close();
    }
  });
});
