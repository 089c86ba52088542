/**
 * Real Chromium for the browser tests: Debian's /usr/bin/chromium, installed by the test
 * setup when missing and running as root, otherwise a failure that says how to install it.
 */
import { chromium, type Browser } from 'playwright-core';
import { ensureDebian } from '../../support/debian.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
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

/** Each launch gets a fresh temporary profile (user-data-dir), removed when the browser closes. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
}
