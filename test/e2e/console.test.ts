/**
 * The console in real Chromium against a whole stack: the tenant matrix (every primary page
 * × desktop and phone: alpha → bravo → alpha with a slowed network, sampling every DOM state
 * for the other tenant's marker), reload, deep links, a refused switch, cross-tab follow, and
 * a single-tenant user refused on another tenant's link.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CONSOLE_CLIENT_ID } from '../../src/contract/scopes.ts';
import { writeAudit } from '../../src/telemetry/audit.ts';
import { utcDay } from '../../src/telemetry/clock.ts';
import { readDailyCounters } from '../../src/telemetry/counters.ts';
import { signals } from '../../src/telemetry/signals.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { launchChromium } from './support/chromium.ts';
import { ensureConsoleBuild, repoRoot } from './support/console-build.ts';
import {
  chooseTenant,
  navigateInApp,
  signIn,
  startSampling,
  stopSampling,
  tenantOptions,
  throttle,
  waitForTenantPage,
  type DomSample,
} from './support/console-page.ts';

const ALPHA = { id: 'tenant-alpha', name: 'Alpha Corp', marker: 'Alpha' };
const BRAVO = { id: 'tenant-bravo', name: 'Bravo Ltd', marker: 'Bravo' };
type Tenant = typeof ALPHA;

interface MatrixPage {
  name: string;
  path: string;
  /** Texts that prove the page rendered this tenant's content. */
  expect: (tenant: Tenant) => string[];
}

const matrixPages: MatrixPage[] = [
  { name: 'overview', path: '/', expect: (t) => [`Working in ${t.name}`, 'Save preferences', 'Actor'] },
  { name: 'topology', path: '/topology', expect: (t) => [`${t.marker} Production`] },
  { name: 'environment', path: '/topology/prod', expect: (t) => [`${t.marker} production cluster`] },
  { name: 'scans', path: '/scans', expect: (t) => [`registry.example/${t.marker.toLowerCase()}/`, 'scan-0001', ...(t === BRAVO ? ['scan-0042'] : [])] },
  { name: 'scan', path: '/scans/scan-0001', expect: (t) => [`registry.example/${t.marker.toLowerCase()}/`, 'Findings'] },
  { name: 'triage', path: '/triage?finding=finding-0001', expect: (t) => ['finding-0002', `${t.marker} AppSec is assessing exposure`] },
  { name: 'unknowns', path: '/unknowns', expect: (t) => [t === ALPHA ? 'Alpha Billing SDK' : 'Bravo Telemetry Agent'] },
  // The demo graph is the scanned images' SBOMs: search by a substring of the image name.
  { name: 'graph', path: '/graph?q=example/', expect: (t) => [`registry.example/${t.marker.toLowerCase()}/web`] },
  { name: 'rollout', path: '/rollout', expect: () => ['Strict-mode gate'] },
  // alice is admin in alpha (her tenant's audit log) and viewer in bravo (no audit log there).
  { name: 'audit', path: '/audit', expect: (t) => (t === ALPHA ? [t.id] : ['does not include the audit log']) },
];

const viewports = [
  { name: 'desktop', viewport: { width: 1366, height: 768 }, isMobile: false },
  { name: 'mobile', viewport: { width: 390, height: 844 }, isMobile: true },
];

const artifacts = join(repoRoot, 'test-artifacts');
const screenshots = join(artifacts, 'screenshots');
const timings: { firstRenderMs: { viewport: string; ms: number }[]; switchMs: { viewport: string; page: string; to: string; throttled: boolean; ms: number }[] } = {
  firstRenderMs: [],
  switchMs: [],
};

let ts: TestStack;
let browser: Browser;
let base: string;

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  const dist = ensureConsoleBuild();
  ts = await startTestStack({ overrides: { 'gateway.consoleDir': dist, 'server.logLevel': 'warn' } });
  base = ts.url('gateway');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await ts?.stop();
  writeFileSync(join(artifacts, 'console-timings.json'), JSON.stringify(timings, null, 2) + '\n');
});

function password(user: string): string {
  const found = ts.credentials.users[user]?.password;
  assert.ok(found, `the demo seed wrote no password for ${user}`);
  return found;
}

/** Asserts no sample shows `forbidden` in main while the selector, main or address names `tenant`. */
function assertNoLeak(samples: DomSample[], tenant: Tenant, forbidden: Tenant, where: string): void {
  assert.ok(samples.length > 0, 'the DOM was sampled');
  const leaks = samples.filter((s) => s.hasMarker && (s.selector === tenant.id || s.main === tenant.id || s.url === tenant.id));
  assert.equal(leaks.length, 0, `${where}: ${forbidden.id} content was on screen under ${tenant.id}: ${JSON.stringify(leaks.slice(0, 3))}`);
}

/** Switches through the selector with a slowed network, sampling every DOM state. */
async function switchAndWatch(page: Page, from: Tenant, to: Tenant, target: MatrixPage, viewport: string): Promise<void> {
  // The marker word, plus the tenant's image path (scanner records name images in lower case).
  await startSampling(page, [from.marker, `registry.example/${from.marker.toLowerCase()}/`]);
  await throttle(page, true);
  const started = Date.now();
  await chooseTenant(page, to.name);
  await waitForTenantPage(page, to.id, target.expect(to), 30_000);
  timings.switchMs.push({ viewport, page: target.name, to: to.id, throttled: true, ms: Date.now() - started });
  await throttle(page, false);
  const samples = await stopSampling(page);
  assertNoLeak(samples, to, from, `${viewport} ${target.name} ${from.id}→${to.id}`);
  assert.ok(samples.some((s) => s.state === 'switching'), 'the neutral switching state was shown');
  assert.equal(new URL(page.url()).searchParams.get('tenant'), to.id);
}

for (const vp of viewports) {
  describe(`tenant matrix, ${vp.name} ${vp.viewport.width}×${vp.viewport.height}`, () => {
    let context: BrowserContext;
    let page: Page;

    before(async () => {
      context = await browser.newContext({ viewport: vp.viewport, isMobile: vp.isMobile, hasTouch: vp.isMobile, deviceScaleFactor: 1 });
      page = await context.newPage();
      const { firstRenderMs } = await signIn(page, base, 'alice', password('alice'));
      timings.firstRenderMs.push({ viewport: vp.name, ms: firstRenderMs });
      await waitForTenantPage(page, ALPHA.id, matrixPages[0].expect(ALPHA));
    });

    after(async () => {
      await context?.close();
    });

    for (const target of matrixPages) {
      // The viewport is in every case name: the readiness checklist looks for desktop and mobile cases.
      test(`${target.name} (${vp.name}): alpha, switch to bravo, switch back — never the other tenant's data`, async () => {
        await navigateInApp(page, `${target.path}${target.path.includes('?') ? '&' : '?'}tenant=${ALPHA.id}`);
        await waitForTenantPage(page, ALPHA.id, target.expect(ALPHA));
        const alphaText = (await page.locator('main').textContent()) ?? '';
        assert.ok(!alphaText.includes(BRAVO.marker) && !alphaText.includes('registry.example/bravo/'), 'the alpha page shows no bravo content');

        await switchAndWatch(page, ALPHA, BRAVO, target, vp.name);
        const path = new URL(page.url()).pathname;
        assert.equal(path, target.path.split('?')[0], 'the switch kept the page');
        await page.screenshot({ path: join(screenshots, `${vp.name}-${target.name}-bravo.png`), fullPage: true });

        await switchAndWatch(page, BRAVO, ALPHA, target, vp.name);
        await page.screenshot({ path: join(screenshots, `${vp.name}-${target.name}-alpha.png`), fullPage: true });
      });
    }

    test(`README screenshot with the selector open (${vp.name})`, async () => {
      await navigateInApp(page, `/topology?tenant=${ALPHA.id}`);
      await waitForTenantPage(page, ALPHA.id, matrixPages[1].expect(ALPHA));
      await page.getByTestId('tenant-selector').click();
      await page.waitForSelector('[role="listbox"]');
      const file = join(screenshots, `console-${vp.name}.png`);
      await page.screenshot({ path: file });
      if (process.env.TENANTGATE_UPDATE_DOC_IMAGES === '1') await page.screenshot({ path: join(repoRoot, 'docs/images', `console-${vp.name}.png`) });
      await page.keyboard.press('Escape');
    });
  });
}

describe('tenant in the address, failures and other tabs (desktop)', () => {
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    context = await browser.newContext({ viewport: viewports[0].viewport });
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
  });

  test('reload keeps the tenant of the address', async () => {
    const first = await signIn(page, base, 'alice', password('alice'), `/topology?tenant=${BRAVO.id}`);
    // Sign-in lands in alice's default tenant, then the address switches it: render plus a switch.
    timings.firstRenderMs.push({ viewport: 'desktop, link to another tenant', ms: first.firstRenderMs });
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
    await page.reload();
    await page.waitForURL((url) => url.pathname.startsWith('/connect/authorize'));
    await page.fill('#username', 'alice');
    await page.fill('#password', password('alice'));
    await page.click('button[type=submit]');
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`, 'bravo-edge']);
    assert.equal(new URL(page.url()).pathname, '/topology');
    assert.equal(new URL(page.url()).searchParams.get('tenant'), BRAVO.id);
  });

  test('deep link to a bravo-only scan while in alpha: "not in this tenant" with a way back', async () => {
    await navigateInApp(page, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    await navigateInApp(page, `/scans/scan-0042?tenant=${ALPHA.id}`);
    await page.getByTestId('not-in-tenant').waitFor();
    assert.match((await page.getByTestId('not-in-tenant').textContent()) ?? '', /scan-0042.*does not exist in Alpha Corp/);
    await page.getByRole('link', { name: 'Back to scans' }).click();
    await waitForTenantPage(page, ALPHA.id, ['scan-0001']);
    assert.equal(new URL(page.url()).pathname, '/scans');
  });

  test('a shared link naming bravo opens the bravo-only scan in bravo; switching to alpha there says "not in this tenant"', async () => {
    const first = await signIn(page, base, 'alice', password('alice'), `/scans/scan-0042?tenant=${BRAVO.id}`);
    timings.firstRenderMs.push({ viewport: 'desktop, link to another tenant', ms: first.firstRenderMs });
    await waitForTenantPage(page, BRAVO.id, ['Scan scan-0042', 'Digest']);
    // 'Digest' is a label of the scan detail only: it must never be on screen under alpha.
    await startSampling(page, 'Digest');
    await chooseTenant(page, ALPHA.name);
    await page.getByTestId('not-in-tenant').waitFor();
    const samples = await stopSampling(page);
    assertNoLeak(samples, ALPHA, BRAVO, 'bravo-only scan after switching to alpha');
    assert.match((await page.getByTestId('not-in-tenant').textContent()) ?? '', /does not exist in Alpha Corp/);
    assert.equal(await page.locator('main dl.fields').count(), 0, 'no scan detail is rendered in alpha');
  });

  test('a refused switch rolls back with a visible error and leaves a working app', async () => {
    await navigateInApp(page, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    await page.route('**/connect/token', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'invalid_request', error_description: 'tenant tenant-bravo is not assigned', error_code: 'tenant_not_assigned' }),
      }),
    );
    await startSampling(page, ALPHA.marker);
    await chooseTenant(page, BRAVO.name);
    await page.getByTestId('switch-error').waitFor();
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    await stopSampling(page);
    assert.match((await page.getByTestId('switch-error').textContent()) ?? '', /Could not switch to Bravo Ltd.*still working in Alpha Corp/);
    assert.equal(await page.getByTestId('tenant-selector').getAttribute('data-tenant'), ALPHA.id);
    assert.equal(new URL(page.url()).searchParams.get('tenant'), ALPHA.id);
    await page.unroute('**/connect/token');
    await chooseTenant(page, BRAVO.name);
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
  });

  test('another tab follows a switch made in this one', async () => {
    await navigateInApp(page, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    const other = await context.newPage();
    const first = await signIn(other, base, 'alice', password('alice'), `/topology?tenant=${ALPHA.id}`);
    timings.firstRenderMs.push({ viewport: 'desktop', ms: first.firstRenderMs });
    await waitForTenantPage(other, ALPHA.id, [`${ALPHA.marker} Production`]);
    await chooseTenant(page, BRAVO.name);
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
    await waitForTenantPage(other, BRAVO.id, [`${BRAVO.marker} Production`]);
    assert.equal(new URL(other.url()).searchParams.get('tenant'), BRAVO.id);
    await other.close();
  });

  test("graph: a node's neighbours are drawn; a switch keeps the node and draws the other tenant's", async () => {
    await navigateInApp(page, `/graph?q=pkg:npm/express&tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, ['express', 'Alpha web dependency']);
    await page.getByRole('button', { name: /^express\b/ }).click();
    await page.waitForSelector('svg.graph-svg');
    await waitForTenantPage(page, ALPHA.id, ['body-parser', 'cookie', 'registry.example/alpha/web']);
    const node = new URL(page.url()).searchParams.get('node');
    assert.match(node ?? '', /^pkg-/);
    await chooseTenant(page, BRAVO.name);
    await waitForTenantPage(page, BRAVO.id, ['body-parser', 'cookie', 'registry.example/bravo/web']);
    assert.equal(new URL(page.url()).searchParams.get('node'), node, 'the same node id, now in bravo');
    assert.equal(await page.locator('svg.graph-svg').count(), 1);
    await page.screenshot({ path: join(screenshots, 'desktop-graph-neighbours-bravo.png'), fullPage: true });
  });

  test('the selector works from the keyboard alone', async () => {
    await navigateInApp(page, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    await page.getByTestId('tenant-selector').focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('[role="listbox"]');
    assert.match((await page.locator('[role="option"][aria-selected="true"]').textContent()) ?? '', /Alpha Corp/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
    await page.getByTestId('tenant-selector').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('[role="listbox"]').count(), 0, 'Escape closes the list');
    assert.equal(await page.getByTestId('tenant-selector').getAttribute('data-tenant'), BRAVO.id);
  });

  test('unthrottled switch timings on the local stack', async () => {
    const topology = matrixPages[1];
    let from = ALPHA;
    await navigateInApp(page, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, topology.expect(ALPHA));
    for (let i = 0; i < 8; i++) {
      const to = from === ALPHA ? BRAVO : ALPHA;
      const started = Date.now();
      await chooseTenant(page, to.name);
      await waitForTenantPage(page, to.id, topology.expect(to));
      timings.switchMs.push({ viewport: 'desktop', page: 'topology', to: to.id, throttled: false, ms: Date.now() - started });
      from = to;
    }
  });

  test('sign-out revokes the tokens at the Authority and leaves nothing signed in', async () => {
    // Capture the refresh token the console holds now (from the switch's token answer).
    const tokenAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/connect/token');
    const current = await page.getByTestId('tenant-selector').getAttribute('data-tenant');
    await chooseTenant(page, current === ALPHA.id ? BRAVO.name : ALPHA.name);
    const { refresh_token: refreshToken } = (await (await tokenAnswer).json()) as { refresh_token: string };
    assert.ok(refreshToken);
    await waitForTenantPage(page, current === ALPHA.id ? BRAVO.id : ALPHA.id, []);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out').waitFor();
    assert.equal(new URL(page.url()).pathname, '/signed-out');
    assert.equal(await page.evaluate('window.sessionStorage.length'), 0, 'nothing left in sessionStorage');
    const reuse = await fetch(`${base}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CONSOLE_CLIENT_ID }),
    });
    assert.equal(reuse.status, 400, 'the revoked refresh token no longer works');
    assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');
  });
});

describe('silent refresh (a stack with 30-second access tokens)', () => {
  test('the console refreshes its token before expiry, in the same tenant, and keeps working', async () => {
    const shortLived = await startTestStack({ overrides: { 'gateway.consoleDir': ensureConsoleBuild(), 'server.logLevel': 'warn', 'authority.accessTokenTtlSeconds': 30 } });
    const context = await browser.newContext({ viewport: viewports[0].viewport });
    try {
      const page = await context.newPage();
      const shortBase = shortLived.url('gateway');
      const bearers: string[] = [];
      page.on('request', (request) => {
        const auth = request.headers().authorization;
        if (auth && new URL(request.url()).pathname.startsWith('/api/')) bearers.push(auth);
      });
      const pw = shortLived.credentials.users.alice?.password ?? '';
      await signIn(page, shortBase, 'alice', pw, `/topology?tenant=${BRAVO.id}`);
      await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
      // 30 s tokens are refreshed a minimum delay (5 s) after they are received.
      const refresh = await page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/connect/token' && (r.request().postData() ?? '').includes('grant_type=refresh_token'),
        { timeout: 20_000 },
      );
      assert.equal(refresh.status(), 200);
      assert.ok((refresh.request().postData() ?? '').includes(`tenant=${BRAVO.id}`), 'the refresh keeps the selected tenant');
      const before = bearers[bearers.length - 1];
      await navigateInApp(page, `/topology/bravo-edge?tenant=${BRAVO.id}`);
      await waitForTenantPage(page, BRAVO.id, ['Bravo registry']);
      assert.notEqual(bearers[bearers.length - 1], before, 'later calls carry the refreshed token');
    } finally {
      await context.close();
      await shortLived.stop();
    }
  });
});

describe('switch telemetry', () => {
  test('every switch reached POST /console/telemetry and the daily counters, with its trigger', async () => {
    const today = utcDay(new Date());
    const wanted = [`${ALPHA.id}>${BRAVO.id}:selector`, `${BRAVO.id}>${ALPHA.id}:selector`, `${ALPHA.id}>${BRAVO.id}:deep-link`, `${ALPHA.id}>${BRAVO.id}:cross-tab`];
    let details: string[] = [];
    // Counters are buffered by the Authority and flushed every couple of seconds.
    for (let attempt = 0; attempt < 50; attempt++) {
      const rows = await readDailyCounters(ts.t.db, today, today, [signals.webTenantSwitch]);
      details = rows.filter((r) => r.client === CONSOLE_CLIENT_ID).map((r) => r.detail);
      if (wanted.every((d) => details.includes(d))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const d of wanted) assert.ok(details.includes(d), `counted ${d} (seen: ${details.join(', ')})`);
  });
});

describe('a single-tenant user (bob)', () => {
  test('sees no alpha choice and is refused on an alpha link', async () => {
    const context = await browser.newContext({ viewport: viewports[0].viewport });
    try {
      const page = await context.newPage();
      const first = await signIn(page, base, 'bob', password('bob'), `/topology?tenant=${ALPHA.id}`);
      timings.firstRenderMs.push({ viewport: 'desktop', ms: first.firstRenderMs });
      const refusal = page.getByTestId('tenant-refused');
      await refusal.waitFor();
      assert.match((await refusal.textContent()) ?? '', /tenant-alpha.*not assigned/);
      assert.equal(((await page.locator('main').textContent()) ?? '').includes(ALPHA.marker), false, 'nothing of alpha is shown');
      assert.deepEqual(await tenantOptions(page), [BRAVO.name]);
      await page.getByRole('button', { name: /Continue in Bravo Ltd/ }).click();
      await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
      await page.screenshot({ path: join(screenshots, 'desktop-bob-refused-then-bravo.png') });
    } finally {
      await context.close();
    }
  });
});

describe('rollout actions by role (desktop)', () => {
  test('a tenant admin sees the rollout but no operator action; the fleet operator sees them', async () => {
    for (const [user, operator] of [
      ['alice', false],
      ['ops', true],
    ] as const) {
      const context = await browser.newContext({ viewport: viewports[0].viewport });
      try {
        const page = await context.newPage();
        await signIn(page, base, user, password(user), `/rollout?tenant=${ALPHA.id}`);
        await waitForTenantPage(page, ALPHA.id, ['Strict-mode gate']);
        const text = (await page.locator('main').textContent()) ?? '';
        for (const action of ['Advance phase', 'Record a decision']) assert.equal(text.includes(action), operator, `${user}: ${action}`);
      } finally {
        await context.close();
      }
    }
  });
});

describe('people by name, audit details and the Overview summary (desktop)', () => {
  test('the Overview summarizes the tenant for alice, and the fleet rollout for the operator', async () => {
    for (const [user, fleet] of [
      ['alice', false],
      ['ops', true],
    ] as const) {
      const context = await browser.newContext({ viewport: viewports[0].viewport });
      try {
        const page = await context.newPage();
        await signIn(page, base, user, password(user), `/?tenant=${ALPHA.id}`);
        await waitForTenantPage(page, ALPHA.id, ['Scans', 'Findings to triage', 'Unknowns', 'Actor']);
        const summary = (await page.getByTestId('tenant-summary').textContent()) ?? '';
        assert.match(summary, /Scans\s*2\s*2 completed/, summary);
        assert.equal(await page.getByTestId('fleet-summary').count(), fleet ? 1 : 0, `${user}: fleet rollout summary`);
        if (fleet) assert.match((await page.getByTestId('fleet-summary').textContent()) ?? '', /Exit gate of phase/);
        // The actor is shown by username, its id kept in the title.
        assert.equal((await page.locator('main .person').first().textContent())?.startsWith(user), true);
        if (user === 'alice') await page.screenshot({ path: join(screenshots, 'desktop-overview-summary.png'), fullPage: true });
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
      tenant: ALPHA.id,
      properties: { before: { tenants: ['tenant-alpha'], roles: { 'tenant-alpha': 'member' } }, after: { tenants: ['tenant-alpha'], roles: { 'tenant-alpha': 'admin' } }, user: 'grace' },
    });
    const context = await browser.newContext({ viewport: viewports[0].viewport });
    try {
      const page = await context.newPage();
      await signIn(page, base, 'alice', password('alice'), `/audit?tenant=${ALPHA.id}`);
      await waitForTenantPage(page, ALPHA.id, ['authority.user.updated', 'Changed']);
      const event = page.locator('tr').filter({ hasText: 'authority.user.updated' }).first();
      const changed = event.locator('.change-table tr[data-changed="true"]');
      assert.equal(await changed.count(), 1, 'only the roles changed');
      const row = (await changed.textContent()) ?? '';
      assert.match(row, /roles.*member.*admin/);
      const actor = event.locator(`.person[title="${aliceId}"]`).first();
      assert.match((await actor.textContent()) ?? '', /^alice/);
      assert.ok((await event.textContent())?.includes('tenantgate console'), 'the client by its display name');
      const cells = await page.locator('main td').allTextContents();
      assert.equal(cells.filter((c) => c.trim().startsWith('{"')).length, 0, 'no raw JSON in the table');
      await page.screenshot({ path: join(screenshots, 'desktop-audit-details.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
