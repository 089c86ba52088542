/**
 * The browser tenant matrix: the console in real Chromium against a live deployment, with
 * the synthetic tenants and users of test/e2e/console/fixtures.ts. On both projects of
 * playwright.config.ts (desktop and a phone): a switch on every primary page (alpha → bravo
 * → alpha under a throttled network, sampling every DOM state for the other tenant's
 * marker), reload, deep links, a refused switch that rolls back, cross-tab follow, a
 * single-tenant user refused on another tenant's link. On desktop only (tagged
 * @one-viewport): switch telemetry, graph drawing, the keyboard, silent refresh, sign-out,
 * the operator's rollout actions and unthrottled timings.
 *
 * Case titles never name a project: the project is the JUnit case's `[desktop]` / `[mobile]`
 * prefix, and the readiness checklist looks for both.
 */
import { expect, test as base_, type Page, type TestInfo } from '@playwright/test';
import { CONSOLE_CLIENT_ID } from '../../../src/contract/scopes.ts';
import { chooseTenant, navigateInApp, signIn, startSampling, stopSampling, tenantOptions, throttle, waitForTenantPage, type DomSample, type ExpectedText } from '../support/console-page.ts';
import { fixturesMissing, loadFixtures, type ConsoleTenant } from './fixtures.ts';

const fx = loadFixtures();
const ALPHA = fx.a;
const BRAVO = fx.b;
const base = fx.gateway;

/** Cases that run on the desktop project only (the phone runs the matrix and the address, refusal and tab cases). */
const ONE_VIEWPORT = { tag: '@one-viewport' };

/**
 * The matrix cases share one signed-in page per worker (tokens live in memory, so every
 * fresh page would sign in again); each case starts by opening its page in alpha.
 */
const test = base_.extend<object, { matrixPage: Page }>({
  matrixPage: [
    async ({ browser }, use, workerInfo) => {
      const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch } = workerInfo.project.use;
      const context = await browser.newContext({ viewport, userAgent, deviceScaleFactor, isMobile, hasTouch });
      const page = await context.newPage();
      if (!fixturesMissing()) await signIn(page, base, fx.users.both.username, fx.users.both.password);
      await use(page);
      await context.close();
    },
    { scope: 'worker' },
  ],
});

test.beforeEach(() => {
  const missing = fixturesMissing();
  if (missing) throw new Error(missing);
});

interface MatrixPage {
  name: string;
  path: string;
  /** Texts that prove the page rendered this tenant's content. */
  expect: (tenant: ConsoleTenant) => ExpectedText[];
}

const image = (t: ConsoleTenant) => `registry.example/${t.marker.toLowerCase()}/`;

const matrixPages: MatrixPage[] = [
  { name: 'overview', path: '/', expect: (t) => [t.name, 'Save preferences'] },
  { name: 'topology', path: '/topology', expect: (t) => [`${t.marker} Production`] },
  { name: 'environment', path: '/topology/prod', expect: (t) => [`${t.marker} production cluster`] },
  { name: 'scans', path: '/scans', expect: (t) => [image(t), t.scanId, ...(t === BRAVO ? [fx.bravoOnlyScanId] : [])] },
  { name: 'scan', path: `/scans/${ALPHA.scanId}`, expect: (t) => [image(t), 'Findings'] },
  { name: 'triage', path: `/triage?finding=${ALPHA.findingIds[0]}`, expect: (t) => [t.findingIds[1], `${t.marker} AppSec is assessing exposure`] },
  { name: 'unknowns', path: '/unknowns', expect: (t) => [t.unknownName] },
  { name: 'graph', path: '/graph?q=pkg:npm/express', expect: (t) => [`${t.marker} express`] },
  { name: 'rollout', path: '/rollout', expect: () => ['Strict-mode gate'] },
  // The two-tenant user is admin in alpha (its audit log) and viewer in bravo (no audit log there).
  { name: 'audit', path: '/audit', expect: (t) => (t === ALPHA ? [[t.id, t.name]] : ['does not include the audit log']) },
];

interface Timing {
  kind: 'first-render' | 'switch';
  label: string;
  throttled?: boolean;
  ms: number;
}

/** Timings go into the report as annotations (test/e2e/support/summarize-timings.ts reads them). */
function recordTiming(info: TestInfo, timing: Timing): void {
  info.annotations.push({ type: 'timing', description: JSON.stringify({ project: info.project.name, ...timing }) });
}

const withTenant = (path: string, tenant: ConsoleTenant) => `${path}${path.includes('?') ? '&' : '?'}tenant=${tenant.id}`;

async function signInBoth(page: Page, info: TestInfo, path = '/'): Promise<void> {
  const { firstRenderMs } = await signIn(page, base, fx.users.both.username, fx.users.both.password, path);
  recordTiming(info, { kind: 'first-render', label: path === '/' ? 'sign-in' : 'sign-in on a link to another tenant', ms: firstRenderMs });
}

/** No sample may show `forbidden`'s marker in main while the selector, main or address names `tenant`. */
function expectNoLeak(samples: DomSample[], tenant: ConsoleTenant, forbidden: ConsoleTenant, where: string): void {
  expect(samples.length, 'the DOM was sampled').toBeGreaterThan(0);
  const leaks = samples.filter((s) => s.hasMarker && (s.selector === tenant.id || s.main === tenant.id || s.url === tenant.id));
  expect(leaks, `${where}: ${forbidden.id} content was on screen under ${tenant.id}`).toEqual([]);
}

/** Switches through the selector with a slowed network, sampling every DOM state. */
async function switchAndWatch(page: Page, info: TestInfo, from: ConsoleTenant, to: ConsoleTenant, target: MatrixPage): Promise<void> {
  // The marker word, plus the tenant's image path (scanner records name images in lower case).
  await startSampling(page, [from.marker, image(from)]);
  await throttle(page, true);
  const started = Date.now();
  await chooseTenant(page, to.name);
  try {
    await waitForTenantPage(page, to.id, target.expect(to), 30_000);
  } catch (err) {
    // The new tenant's page never came: say so with the other tenant's content if that is what was shown.
    await throttle(page, false);
    expectNoLeak(await stopSampling(page), to, from, `${target.name} ${from.id}→${to.id}`);
    throw err;
  }
  recordTiming(info, { kind: 'switch', label: target.name, throttled: true, ms: Date.now() - started });
  await throttle(page, false);
  const samples = await stopSampling(page);
  expectNoLeak(samples, to, from, `${target.name} ${from.id}→${to.id}`);
  expect(samples.some((s) => s.state === 'switching'), 'the neutral switching state was shown').toBe(true);
  expect(new URL(page.url()).searchParams.get('tenant')).toBe(to.id);
}

test.describe('tenant matrix', () => {
  test.afterEach(async ({ matrixPage }, info) => {
    if (info.status !== info.expectedStatus) await info.attach('failure', { body: await matrixPage.screenshot({ fullPage: true }), contentType: 'image/png' });
  });

  for (const target of matrixPages) {
    test(`${target.name}: alpha, switch to bravo, switch back — never the other tenant's data`, async ({ matrixPage: page }, info) => {
      if (target.name === 'scan') expect(BRAVO.scanId, 'both tenants hold the first scan under the same id').toBe(ALPHA.scanId);
      await navigateInApp(page, withTenant(target.path, ALPHA));
      await waitForTenantPage(page, ALPHA.id, target.expect(ALPHA));
      const alphaText = (await page.locator('main').textContent()) ?? '';
      expect(alphaText.includes(BRAVO.marker) || alphaText.includes(image(BRAVO)), 'the alpha page shows no bravo content').toBe(false);

      await switchAndWatch(page, info, ALPHA, BRAVO, target);
      expect(new URL(page.url()).pathname, 'the switch kept the page').toBe(target.path.split('?')[0]);
      await info.attach(`${target.name}-bravo`, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

      await switchAndWatch(page, info, BRAVO, ALPHA, target);
      await info.attach(`${target.name}-alpha`, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
    });
  }
});

test.describe('tenant in the address, failures and other tabs', () => {
  test('reload keeps the tenant of the address', async ({ page }, info) => {
    await signInBoth(page, info, `/topology?tenant=${BRAVO.id}`);
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
    await page.reload();
    await page.waitForURL((url) => url.pathname.startsWith('/connect/authorize'));
    await page.fill('#username', fx.users.both.username);
    await page.fill('#password', fx.users.both.password);
    await page.click('button[type=submit]');
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`, BRAVO.ownEnvironment.id]);
    expect(new URL(page.url()).pathname).toBe('/topology');
    expect(new URL(page.url()).searchParams.get('tenant')).toBe(BRAVO.id);
  });

  test('deep link to a bravo-only scan while in alpha: "not in this tenant" with a way back', async ({ page }, info) => {
    await signInBoth(page, info, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    await navigateInApp(page, `/scans/${fx.bravoOnlyScanId}?tenant=${ALPHA.id}`);
    const notHere = page.getByTestId('not-in-tenant');
    await expect(notHere).toContainText(fx.bravoOnlyScanId);
    await expect(notHere).toContainText(`does not exist in ${ALPHA.name}`);
    await page.getByRole('link', { name: 'Back to scans' }).click();
    await waitForTenantPage(page, ALPHA.id, [ALPHA.scanId]);
    expect(new URL(page.url()).pathname).toBe('/scans');
  });

  test('a shared link naming bravo opens the bravo-only scan in bravo; switching to alpha there says "not in this tenant"', async ({ page }, info) => {
    await signInBoth(page, info, `/scans/${fx.bravoOnlyScanId}?tenant=${BRAVO.id}`);
    await waitForTenantPage(page, BRAVO.id, [`Scan ${fx.bravoOnlyScanId}`, 'Digest']);
    // 'Digest' is a label of the scan detail only: it must never be on screen under alpha.
    await startSampling(page, 'Digest');
    await chooseTenant(page, ALPHA.name);
    await page.getByTestId('not-in-tenant').waitFor();
    expectNoLeak(await stopSampling(page), ALPHA, BRAVO, 'bravo-only scan after switching to alpha');
    await expect(page.getByTestId('not-in-tenant')).toContainText(`does not exist in ${ALPHA.name}`);
    await expect(page.locator('main dl.fields')).toHaveCount(0);
  });

  test('a refused switch rolls back with a visible error and leaves a working app', async ({ page }, info) => {
    await signInBoth(page, info, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    await page.route('**/connect/token', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'invalid_request', error_description: `tenant ${BRAVO.id} is not assigned`, error_code: 'tenant_not_assigned' }),
      }),
    );
    await startSampling(page, ALPHA.marker);
    await chooseTenant(page, BRAVO.name);
    await page.getByTestId('switch-error').waitFor();
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    await stopSampling(page);
    await expect(page.getByTestId('switch-error')).toHaveText(new RegExp(`Could not switch to ${BRAVO.name}.*still working in ${ALPHA.name}`));
    await expect(page.getByTestId('tenant-selector')).toHaveAttribute('data-tenant', ALPHA.id);
    expect(new URL(page.url()).searchParams.get('tenant')).toBe(ALPHA.id);
    await page.unroute('**/connect/token');
    await chooseTenant(page, BRAVO.name);
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
  });

  test('another tab follows a switch made in this one', async ({ page, context }, info) => {
    await signInBoth(page, info, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    const other = await context.newPage();
    await signInBoth(other, info, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(other, ALPHA.id, [`${ALPHA.marker} Production`]);
    await chooseTenant(page, BRAVO.name);
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
    await waitForTenantPage(other, BRAVO.id, [`${BRAVO.marker} Production`]);
    expect(new URL(other.url()).searchParams.get('tenant')).toBe(BRAVO.id);
  });

  test('every switch is reported to /console/telemetry with its trigger', ONE_VIEWPORT, async ({ page }, info) => {
    const reports: { events: { kind: string; fromTenant?: string; toTenant?: string; trigger?: string }[]; status: number }[] = [];
    page.on('response', async (r) => {
      if (new URL(r.url()).pathname !== '/console/telemetry' || r.request().method() !== 'POST') return;
      reports.push({ events: (r.request().postDataJSON() as { events: [] }).events, status: r.status() });
    });
    await signInBoth(page, info, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    await chooseTenant(page, BRAVO.name);
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
    await navigateInApp(page, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    const seen = () => reports.filter((r) => r.status === 202).flatMap((r) => r.events.filter((e) => e.kind === 'tenant_switch').map((e) => `${e.fromTenant}>${e.toTenant}:${e.trigger}`));
    await expect.poll(seen, { message: 'accepted (202) tenant_switch reports' }).toEqual(expect.arrayContaining([`${ALPHA.id}>${BRAVO.id}:selector`, `${BRAVO.id}>${ALPHA.id}:deep-link`]));
  });

  test("graph: a node's neighbours are drawn; a switch keeps the node and draws the other tenant's", ONE_VIEWPORT, async ({ page }, info) => {
    await signInBoth(page, info, `/graph?q=pkg:npm/express&tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, ['Alpha express']);
    await page.getByRole('button', { name: /Alpha express/ }).click();
    await page.waitForSelector('svg.graph-svg');
    await waitForTenantPage(page, ALPHA.id, ['Alpha body-parser', 'Alpha cookie']);
    const node = new URL(page.url()).searchParams.get('node');
    expect(node ?? '').toMatch(/^pkg-/);
    await chooseTenant(page, BRAVO.name);
    await waitForTenantPage(page, BRAVO.id, ['Bravo body-parser', 'Bravo cookie']);
    expect(new URL(page.url()).searchParams.get('node'), 'the same node id, now in bravo').toBe(node);
    await expect(page.locator('svg.graph-svg')).toHaveCount(1);
    await info.attach('graph-neighbours-bravo', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  });

  test('the selector works from the keyboard alone', ONE_VIEWPORT, async ({ page }, info) => {
    await signInBoth(page, info, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    await page.getByTestId('tenant-selector').focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('[role="listbox"]');
    await expect(page.locator('[role="option"][aria-selected="true"]')).toContainText(ALPHA.name);
    // Options are in display-name order: Console Alpha, then Console Bravo.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
    await page.getByTestId('tenant-selector').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Escape');
    await expect(page.locator('[role="listbox"]'), 'Escape closes the list').toHaveCount(0);
    await expect(page.getByTestId('tenant-selector')).toHaveAttribute('data-tenant', BRAVO.id);
  });

  test('unthrottled switch timings', ONE_VIEWPORT, async ({ page }, info) => {
    const topology = matrixPages[1];
    await signInBoth(page, info, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, topology.expect(ALPHA));
    let from = ALPHA;
    for (let i = 0; i < 4; i++) {
      const to = from === ALPHA ? BRAVO : ALPHA;
      const started = Date.now();
      await chooseTenant(page, to.name);
      await waitForTenantPage(page, to.id, topology.expect(to));
      recordTiming(info, { kind: 'switch', label: 'topology', throttled: false, ms: Date.now() - started });
      from = to;
    }
  });

  test('the console refreshes its token before expiry, in the same tenant, and keeps working', ONE_VIEWPORT, async ({ page }, info) => {
    // The page's clock is installed before the console loads, so its refresh timer can be brought forward.
    await page.clock.install();
    const bearers: string[] = [];
    page.on('request', (request) => {
      const auth = request.headers().authorization;
      if (auth && new URL(request.url()).pathname.startsWith('/api/')) bearers.push(auth);
    });
    const firstToken = page.waitForResponse((r) => new URL(r.url()).pathname === '/connect/token' && (r.request().postData() ?? '').includes('grant_type=authorization_code'));
    await signInBoth(page, info, `/topology?tenant=${BRAVO.id}`);
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
    const { expires_in: expiresIn } = (await (await firstToken).json()) as { expires_in: number };
    expect(expiresIn).toBeGreaterThan(0);
    const refresh = page.waitForResponse((r) => new URL(r.url()).pathname === '/connect/token' && (r.request().postData() ?? '').includes('grant_type=refresh_token'), { timeout: 20_000 });
    // The console refreshes 60 s before expiry, and never sooner than 5 s after receiving a token.
    await page.clock.fastForward(Math.max(5_000, expiresIn * 1000 - 60_000) + 1_000);
    const answer = await refresh;
    expect(answer.status()).toBe(200);
    expect(answer.request().postData() ?? '', 'the refresh keeps the selected tenant').toContain(`tenant=${BRAVO.id}`);
    const before = bearers[bearers.length - 1];
    await navigateInApp(page, `/topology/${BRAVO.ownEnvironment.id}?tenant=${BRAVO.id}`);
    await waitForTenantPage(page, BRAVO.id, [BRAVO.ownEnvironment.targetName]);
    expect(bearers[bearers.length - 1], 'later calls carry the refreshed token').not.toBe(before);
  });

  test('sign-out revokes the tokens at the Authority and leaves nothing signed in', ONE_VIEWPORT, async ({ page }, info) => {
    await signInBoth(page, info, `/topology?tenant=${ALPHA.id}`);
    await waitForTenantPage(page, ALPHA.id, [`${ALPHA.marker} Production`]);
    // Capture the refresh token the console holds now (from the switch's token answer).
    const tokenAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/connect/token');
    await chooseTenant(page, BRAVO.name);
    const { refresh_token: refreshToken } = (await (await tokenAnswer).json()) as { refresh_token: string };
    expect(refreshToken).toBeTruthy();
    await waitForTenantPage(page, BRAVO.id, []);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out').waitFor();
    expect(new URL(page.url()).pathname).toBe('/signed-out');
    expect(await page.evaluate('window.sessionStorage.length'), 'nothing left in sessionStorage').toBe(0);
    const reuse = await page.request.post(`${base}/connect/token`, { form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CONSOLE_CLIENT_ID } });
    expect(reuse.status(), 'the revoked refresh token no longer works').toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
  });
});

test.describe('a single-tenant user', () => {
  test('sees no alpha choice and is refused on an alpha link', async ({ page }, info) => {
    const first = await signIn(page, base, fx.users.bravoOnly.username, fx.users.bravoOnly.password, `/topology?tenant=${ALPHA.id}`);
    recordTiming(info, { kind: 'first-render', label: 'sign-in, refused tenant', ms: first.firstRenderMs });
    const refusal = page.getByTestId('tenant-refused');
    await expect(refusal).toContainText(ALPHA.id);
    await expect(refusal).toContainText('not assigned');
    expect(((await page.locator('main').textContent()) ?? '').includes(ALPHA.marker), 'nothing of alpha is shown').toBe(false);
    expect(await tenantOptions(page)).toEqual([BRAVO.name]);
    await page.getByRole('button', { name: new RegExp(`Continue in ${BRAVO.name}`) }).click();
    await waitForTenantPage(page, BRAVO.id, [`${BRAVO.marker} Production`]);
    await info.attach('refused-then-bravo', { body: await page.screenshot(), contentType: 'image/png' });
  });
});

test.describe('rollout actions by role', () => {
  for (const [who, operator] of [
    ['a tenant admin', false],
    ['the fleet operator', true],
  ] as const) {
    test(`${who} sees the rollout${operator ? ' with' : ' but no'} operator actions`, ONE_VIEWPORT, async ({ page }) => {
      const user = operator ? fx.users.operator : fx.users.both;
      await signIn(page, base, user.username, user.password, `/rollout?tenant=${ALPHA.id}`);
      await waitForTenantPage(page, ALPHA.id, ['Strict-mode gate']);
      const text = (await page.locator('main').textContent()) ?? '';
      for (const action of ['Advance phase', 'Record a decision']) expect(text.includes(action), action).toBe(operator);
    });
  }
});

test.describe('the Overview summary', () => {
  for (const [who, operator] of [
    ['a tenant user', false],
    ['the fleet operator', true],
  ] as const) {
    test(`${who}: the tenant's scans, findings and unknowns${operator ? ', and the fleet rollout' : ''}; people by name`, ONE_VIEWPORT, async ({ page }) => {
      const user = operator ? fx.users.operator : fx.users.both;
      await signIn(page, base, user.username, user.password, `/?tenant=${ALPHA.id}`);
      await waitForTenantPage(page, ALPHA.id, ['Scans', 'Findings to triage', 'Unknowns']);
      const summary = (await page.getByTestId('tenant-summary').textContent()) ?? '';
      expect(summary).toMatch(/Scans\s*\d+/);
      await expect(page.getByTestId('fleet-summary')).toHaveCount(operator ? 1 : 0);
      if (operator) expect((await page.getByTestId('fleet-summary').textContent()) ?? '').toMatch(/Exit gate of phase/);
      // No person is shown by a bare UUID.
      for (const person of await page.locator('main .person').allTextContents()) expect(person).not.toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    });
  }
});

test('the tenant selector, open (README screenshot)', async ({ page }, info) => {
  await signInBoth(page, info, `/topology?tenant=${ALPHA.id}`);
  await waitForTenantPage(page, ALPHA.id, matrixPages[1].expect(ALPHA));
  await page.getByTestId('tenant-selector').click();
  await page.waitForSelector('[role="listbox"]');
  const shot = await page.screenshot();
  await info.attach('console-selector-open', { body: shot, contentType: 'image/png' });
  if (process.env.TENANTGATE_UPDATE_DOC_IMAGES === '1') await page.screenshot({ path: `docs/images/console-${info.project.name}.png` });
  await page.keyboard.press('Escape');
});
