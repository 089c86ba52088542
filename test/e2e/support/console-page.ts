/**
 * Driving the console in a real browser: sign-in through the Authority's login page, in-app
 * navigation (no reload: tokens live in memory), the tenant selector, and waiting for a page
 * to be fully rendered for one tenant.
 */
import type { CDPSession, Page } from '@playwright/test';

export interface SignInResult {
  /** From submitting the login form to the first page fully rendered. */
  firstRenderMs: number;
}

/** Opens `path` (a fresh page load), signs in on the Authority's page, waits for the console. */
export async function signIn(page: Page, base: string, username: string, password: string, path = '/'): Promise<SignInResult> {
  await page.goto(`${base}${path}`);
  await page.waitForURL((url) => url.pathname.startsWith('/connect/authorize'));
  await page.fill('#username', username);
  await page.fill('#password', password);
  const started = Date.now();
  await page.click('button[type=submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/connect/') && url.pathname !== '/auth/callback');
  await page.waitForSelector('main[data-state="ready"]');
  await waitSettled(page);
  return { firstRenderMs: Date.now() - started };
}

/** In-app navigation through the router (a popstate), keeping the in-memory session. */
export async function navigateInApp(page: Page, path: string): Promise<void> {
  await page.evaluate((target) => {
    window.history.pushState({}, '', target);
    window.dispatchEvent(new PopStateEvent('popstate', { state: {} }));
  }, path);
}

/** A text main must show, or a list of texts any one of which will do. */
export type ExpectedText = string | string[];

/** Waits until main is committed to `tenant`, nothing is loading, and every text is shown. */
export async function waitForTenantPage(page: Page, tenant: string, texts: ExpectedText[], timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    ([tenantId, expected]) => {
      const main = document.querySelector('main');
      if (!main || main.dataset.tenant !== tenantId || main.dataset.state !== 'ready') return false;
      if (main.querySelector('.state-loading')) return false;
      const text = main.textContent ?? '';
      return (expected as ExpectedText[]).every((t) => (typeof t === 'string' ? [t] : t).some((one) => text.includes(one)));
    },
    [tenant, texts] as const,
    { timeout },
  );
}

export async function waitSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const main = document.querySelector('main');
    return !!main && main.dataset.state === 'ready' && !main.querySelector('.state-loading');
  });
}

export async function openTenantSelector(page: Page): Promise<void> {
  const button = page.getByTestId('tenant-selector');
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  await page.waitForSelector('[role="listbox"]');
}

export async function tenantOptions(page: Page): Promise<string[]> {
  await openTenantSelector(page);
  const names = await page.locator('[role="option"] .tenant-name').allTextContents();
  await page.keyboard.press('Escape');
  return names;
}

export async function chooseTenant(page: Page, displayName: string): Promise<void> {
  await openTenantSelector(page);
  await page.getByRole('option', { name: new RegExp(displayName) }).click();
}

/**
 * Records, inside the page, every DOM state from now on (MutationObserver callbacks run before
 * each paint, plus one sample per animation frame): which tenant the selector and main show
 * and whether main contains any of `markers`.
 */
export async function startSampling(page: Page, markers: string | string[]): Promise<void> {
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  await page.evaluate(`(() => {
    const words = ${JSON.stringify(typeof markers === 'string' ? [markers] : markers)};
    const w = window;
    if (w.__stopSampling) w.__stopSampling();
    w.__samples = [];
    const sample = () => {
      const main = document.querySelector('main');
      const selector = document.querySelector('[data-testid="tenant-selector"]');
      w.__samples.push({
        selector: selector ? selector.dataset.tenant : null,
        main: main ? main.dataset.tenant : null,
        state: main ? main.dataset.state : null,
        url: new URLSearchParams(window.location.search).get('tenant'),
        hasMarker: words.some((word) => ((main && main.textContent) || '').includes(word)),
      });
    };
    const observer = new MutationObserver(sample);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    let frame = 0;
    const tick = () => {
      sample();
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    sample();
    w.__stopSampling = () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
    };
  })()`);
}

export interface DomSample {
  selector: string | null;
  main: string | null;
  state: string | null;
  url: string | null;
  hasMarker: boolean;
}

export async function stopSampling(page: Page): Promise<DomSample[]> {
  return page.evaluate('(() => { window.__stopSampling && window.__stopSampling(); return window.__samples; })()') as Promise<DomSample[]>;
}

/** Slows every request of the page (latency + bandwidth) through the DevTools protocol. */
// Emulation lives as long as its DevTools session, so each page keeps one.
const sessions = new WeakMap<Page, CDPSession>();

export async function throttle(page: Page, on: boolean): Promise<void> {
  let cdp = sessions.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    sessions.set(page, cdp);
  }
  await cdp.send('Network.emulateNetworkConditions', on
    ? { offline: false, latency: 250, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (200 * 1024) / 8 }
    : { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
}
