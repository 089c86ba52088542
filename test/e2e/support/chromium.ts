/**
 * Real Chromium for the browser tests: Debian's /usr/bin/chromium (playwright.config.ts
 * launches it; no browser is ever downloaded), installed by the test setup when missing and
 * running as root, otherwise a failure that says how to install it.
 */
import { ensureDebian } from '../../support/debian.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function ensureChromium(): string {
  ensureDebian({ pkg: 'chromium', path: CHROMIUM_PATH });
  return CHROMIUM_PATH;
}
