/**
 * The console's summary and audit pages in real Chromium (playwright-core, Debian's
 * chromium) against a test stack with the demo data: the Overview summarizes the tenant's
 * scans, findings and unknowns (and, for the fleet operator, the rollout: phase, window,
 * strict gate, 30 days of legacy use, open incidents); the Audit page
 * names actors and clients and shows a change as a before/after table, never raw JSON.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { writeAudit } from '../../src/telemetry/audit.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { CHROMIUM_ARGS, ensureChromium } from './support/chromium.ts';
import { ensureConsoleBuild, repoRoot } from './support/console-build.ts';
import { signIn, waitForTenantPage } from './support/console-page.ts';

const ALPHA = 'tenant-alpha';
const screenshots = join(repoRoot, 'test-artifacts', 'screenshots');
const desktop = { width: 1366, height: 768 };

describe('console polish: Overview summary, people by name, audit before/after (desktop)', () => {
  let ts: TestStack;
  let browser: Browser;
  let base: string;

  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    ts = await startTestStack({ overrides: { 'gateway.consoleDir': ensureConsoleBuild(), 'server.logLevel': 'warn' } });
    base = ts.url('gateway');
    browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await ts?.stop();
  });

  const password = (user: string) => {
    const found = ts.credentials.users[user]?.password;
    assert.ok(found, `the demo seed wrote no password for ${user}`);
    return found;
  };

  test('the Overview summarizes the tenant for alice, and the fleet rollout for the operator', async () => {
    for (const [user, fleet] of [
      ['alice', false],
      ['ops', true],
    ] as const) {
      const context = await browser.newContext({ viewport: desktop });
      try {
        const page = await context.newPage();
        await signIn(page, base, user, password(user), `/?tenant=${ALPHA}`);
        await waitForTenantPage(page, ALPHA, ['Scans', 'Findings to triage', 'Unknowns', 'Actor']);
        const summary = (await page.getByTestId('tenant-summary').textContent()) ?? '';
        assert.match(summary, /Scans\s*2\s*2 completed/, summary);
        assert.match(summary, /Findings to triage\s*5/, summary);
        assert.equal(await page.getByTestId('fleet-summary').count(), fleet ? 1 : 0, `${user}: fleet rollout summary`);
        if (fleet) {
          // The operator's summary: phase, window state, strict gate, legacy use over 30 days, open incidents.
          const fleetText = (await page.getByTestId('fleet-summary').textContent()) ?? '';
          assert.match(fleetText, /Phase\s*0\s*Contract and feature flags/, fleetText);
          assert.match(fleetText, /Exit gate of phase 0: fails\s*missing: contract-accepted, trackers-ready/, fleetText);
          // The built-in policy's window ended 2026-03-31: closed, with the date and what happens at the end.
          assert.match((await page.getByTestId('fleet-window').textContent()) ?? '', /closed \d+ days ago.*legacy aliases supported through 2026-03-31; at the end: keep/);
          assert.match((await page.getByTestId('fleet-strict-gate').textContent()) ?? '', /fails.*0 of 14 clean days; earliest pass \d{4}-\d{2}-\d{2}/);
          assert.match((await page.getByTestId('fleet-legacy-use').textContent()) ?? '', /Legacy use, 30 days\s*\d+\s*\d+ days? with use, \d+ without data/);
          assert.match((await page.getByTestId('fleet-incidents').textContent()) ?? '', /Open incidents\s*0/);
          // Every date of the built-in policy has passed while the rollout is in phase 0.
          assert.match((await page.getByTestId('fleet-warning').first().textContent()) ?? '', /tenantgate rollout policy init --start YYYY-MM-DD --out FILE/);
          // The Rollout page shows the same window and the warnings.
          await page.getByTestId('fleet-incidents').getByRole('link', { name: 'Rollout' }).click();
          await page.getByText('Compatibility window').first().waitFor();
          const rollout = (await page.locator('main').textContent()) ?? '';
          assert.match(rollout, /Compatibility window\s*closed \d+ day\(s\) ago \(aliases through 2026-03-31; at the end: keep\)/, rollout);
          assert.match(rollout, /Warnings\s*every date of policy multi-tenant-same-key-rollout has passed/);
          assert.match(rollout, /Instances\s*\d+ running, 0 gone; all running on flag version/);
          await page.goBack();
        } else {
          assert.equal(await page.getByTestId('fleet-window').count(), 0, 'a tenant user sees the tenant summary only');
        }
        // The actor is shown by username, its id kept in the title.
        assert.equal((await page.locator('main .person').first().textContent())?.startsWith(user), true);
        await page.screenshot({ path: join(screenshots, `desktop-overview-summary-${user}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    }
  });

  test('the Audit page names actors and clients and shows a change as before/after, not JSON', async () => {
    const { rows } = await ts.t.db.query<{ id: string }>("select id from authority.users where username = 'alice'");
    const aliceId = rows[0].id;
    await writeAudit(ts.t.db, {
      type: 'authority.user.updated',
      outcome: 'success',
      actor: aliceId,
      client: 'stellaops-console',
      tenant: ALPHA,
      properties: { before: { tenants: [ALPHA], roles: { [ALPHA]: 'member' } }, after: { tenants: [ALPHA], roles: { [ALPHA]: 'admin' } }, user: 'grace' },
    });
    const context = await browser.newContext({ viewport: desktop });
    try {
      const page = await context.newPage();
      await signIn(page, base, 'alice', password('alice'), `/audit?tenant=${ALPHA}`);
      await waitForTenantPage(page, ALPHA, ['authority.user.updated', 'Changed']);
      const event = page.locator('tr').filter({ hasText: 'authority.user.updated' }).first();
      const changed = event.locator('.change-table tr[data-changed="true"]');
      assert.equal(await changed.count(), 1, 'only the roles changed');
      assert.match((await changed.textContent()) ?? '', /roles.*member.*admin/);
      assert.match((await event.locator(`.person[title="${aliceId}"]`).first().textContent()) ?? '', /^alice/);
      assert.ok((await event.textContent())?.includes('tenantgate console'), 'the client by its display name');
      const cells = await page.locator('main td').allTextContents();
      assert.equal(cells.filter((c) => c.trim().startsWith('{"')).length, 0, 'no raw JSON in the table');
      await page.screenshot({ path: join(screenshots, 'desktop-audit-details.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
