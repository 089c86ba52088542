/**
 * Real Chromium for the browser tests: Debian's /usr/bin/chromium, installed by the test
 * setup when missing and running as root, otherwise a failure that says how to install it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const instruction = 'Chromium is missing: install it with `apt-get install -y chromium` (Debian, as root) and run the tests again.';
  if (process.getuid?.() !== 0) throw new Error(instruction);
  const install = () => spawnSync('apt-get', ['install', '-y', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    install();
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`automatic install failed. ${instruction}`);
  return CHROMIUM_PATH;
}

/** Each launch gets a fresh temporary profile (user-data-dir), removed when the browser closes. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
}
