/**
 * Screenshots of the console's pages for docs/images, taken with playwright-core and Debian's
 * Chromium (installed like the browser tests do) against a running stack with the demo data:
 *
 *   npm start                                     # or any running stack with the demo seed
 *   node --import tsx scripts/console-screenshots.ts [--base http://127.0.0.1:8080] \
 *     [--credentials .tenantgate/demo-credentials.json] [--out docs/images]
 *
 * It signs in as the demo users (alice: tenant admin of Alpha Corp; ops: fleet operator),
 * opens each page, waits until it has rendered its data, and writes one PNG per page at
 * 1366×768 (full page) plus the Overview at 390×844.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from '../test/e2e/support/chromium.ts';
import { signIn, waitForTenantPage } from '../test/e2e/support/console-page.ts';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: 'http://127.0.0.1:8080' },
    credentials: { type: 'string', default: '.tenantgate/demo-credentials.json' },
    out: { type: 'string', default: 'docs/images' },
  },
});
const base = values.base!.replace(/\/$/, '');
const out = resolve(values.out!);
const credentials = JSON.parse(readFileSync(values.credentials!, 'utf8')) as { users: Record<string, { password: string }> };
const ALPHA = 'tenant-alpha';

interface Shot {
  file: string;
  user: string;
  path: string;
  /** Texts the page shows once its data is in. */
  ready: string[];
  viewport?: { width: number; height: number };
  /** Something to do on the page before the picture. */
  act?: (page: Page) => Promise<void>;
}

const shots: Shot[] = [
  { file: 'console-overview.png', user: 'alice', path: `/?tenant=${ALPHA}`, ready: ['Findings to triage', 'Unknowns', 'Actor'] },
  { file: 'console-overview-fleet.png', user: 'ops', path: `/?tenant=${ALPHA}`, ready: ['Fleet rollout', 'Exit gate of phase', 'Findings to triage'] },
  { file: 'console-overview-mobile.png', user: 'alice', path: `/?tenant=${ALPHA}`, ready: ['Findings to triage'], viewport: { width: 390, height: 844 } },
  {
    // The fleet auditor, every tenant: the demo's client registrations, each a before/after.
    file: 'console-audit.png',
    user: 'ops',
    path: `/audit?tenant=${ALPHA}`,
    ready: ['Audit events'],
    act: async (page) => {
      const filters = page.getByRole('form', { name: 'Audit filters' });
      await filters.getByLabel('Event type (prefix*)').fill('authority.client.*');
      await filters.getByLabel('Tenant', { exact: true }).fill('');
      await filters.getByRole('button', { name: 'Apply filters' }).click();
      await waitForTenantPage(page, ALPHA, ['authority.client.created', 'Created']);
    },
  },
  { file: 'console-triage.png', user: 'alice', path: `/triage?finding=finding-0001&tenant=${ALPHA}`, ready: ['Status history', 'Alpha AppSec is assessing exposure'] },
  {
    file: 'console-graph.png',
    user: 'alice',
    path: `/graph?q=pkg:npm/express&tenant=${ALPHA}`,
    ready: ['express'],
    act: async (page) => {
      await page.getByRole('button', { name: /^express\b/ }).click();
      await page.waitForSelector('svg.graph-svg');
      await waitForTenantPage(page, ALPHA, ['body-parser', 'registry.example/alpha/web']);
    },
  },
  { file: 'console-rollout.png', user: 'ops', path: `/rollout?tenant=${ALPHA}`, ready: ['Strict-mode gate', 'Exit gate of phase'] },
];

async function take(browser: Browser, shot: Shot): Promise<void> {
  const context = await browser.newContext({ viewport: shot.viewport ?? { width: 1366, height: 768 }, deviceScaleFactor: 1, isMobile: !!shot.viewport, hasTouch: !!shot.viewport });
  try {
    const page = await context.newPage();
    const password = credentials.users[shot.user]?.password;
    if (!password) throw new Error(`no demo password for ${shot.user} in ${values.credentials}`);
    await signIn(page, base, shot.user, password, shot.path);
    await waitForTenantPage(page, ALPHA, shot.ready, 30_000);
    if (shot.act) await shot.act(page);
    // Let charts and fonts settle, then take the whole page.
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, shot.file), fullPage: true });
    process.stdout.write(`${join(values.out!, shot.file)}\n`);
  } finally {
    await context.close();
  }
}

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
try {
  for (const shot of shots) await take(browser, shot);
} finally {
  await browser.close();
}
