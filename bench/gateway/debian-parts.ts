/**
 * The Debian packages the gateway benchmark's peers and load generator come from, installed
 * (as root) only when the binary is missing, the same way the test setup installs its parts.
 */
import { existsSync } from 'node:fs';
import { ensureDebian, type DebianPart } from '../../test/support/debian.ts';

export const nginxPart: DebianPart = { pkg: 'nginx-light', path: '/usr/sbin/nginx' };
export const haproxyPart: DebianPart = { pkg: 'haproxy', path: '/usr/sbin/haproxy' };
export const wrkPart: DebianPart = { pkg: 'wrk', path: '/usr/bin/wrk' };

/** Ensures the binaries the chosen cases and loader need; wrk is tried, and reported absent on failure. */
export function ensureBenchParts(options: { nginx: boolean; haproxy: boolean; wantWrk: boolean }): { wrk: boolean } {
  const parts = [...(options.nginx ? [nginxPart] : []), ...(options.haproxy ? [haproxyPart] : [])];
  ensureDebian(...parts);
  if (!options.wantWrk) return { wrk: false };
  try {
    ensureDebian(wrkPart);
  } catch {
    // The default loader falls back to autocannon when wrk cannot be had.
  }
  return { wrk: existsSync(wrkPart.path) };
}
