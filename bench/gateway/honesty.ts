/**
 * Before HAProxy is measured, proof that it checks what it claims to: a token signed by
 * another key and an expired one are refused (401/403), the good one passes (200), and with
 * the good one the upstream receives exactly one canonical tenant header, the token's tenant,
 * and none of the spoofed tenant headers the client sent.
 */
import type { ContractProfile } from '../../src/contract/profile.ts';
import { ECHO_HEADERS_PATH } from '../../test/gateway/support/harness.ts';
import type { PeerTokens } from './peer-token.ts';

export interface HonestyCheck {
  token: 'good' | 'foreign key' | 'expired' | 'good, spoofed tenant headers';
  status: number;
  expected: string;
  ok: boolean;
}

export async function checkHaproxyHonest(url: string, tokens: PeerTokens, tenant: string, profile: ContractProfile): Promise<HonestyCheck[]> {
  const cases: [HonestyCheck['token'], string, (s: number) => boolean, string][] = [
    ['good', tokens.good, (s) => s === 200, '200'],
    ['foreign key', tokens.foreign, (s) => s === 401 || s === 403, '401/403'],
    ['expired', tokens.expired, (s) => s === 401 || s === 403, '401/403'],
  ];
  const checks: HonestyCheck[] = [];
  for (const [token, jwt, accept, expected] of cases) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${jwt}` } });
    await res.arrayBuffer();
    checks.push({ token, status: res.status, expected, ok: accept(res.status) });
  }
  checks.push(await checkHeadersRewritten(url, tokens.good, tenant, profile));
  return checks;
}

/** A good token with every tenant header spoofed: the upstream sees only the token's tenant. */
async function checkHeadersRewritten(url: string, jwt: string, tenant: string, profile: ContractProfile): Promise<HonestyCheck> {
  const spoofed = 'tenant-spoofed';
  const names = [profile.canonicalTenantHeader, ...profile.legacyTenantHeaders].map((h) => h.toLowerCase());
  const res = await fetch(new URL(ECHO_HEADERS_PATH, url), { headers: { authorization: `Bearer ${jwt}`, ...Object.fromEntries(names.map((h) => [h, spoofed])) } });
  const { rawHeaders } = (await res.json()) as { rawHeaders: string[] };
  const seen: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (names.includes(rawHeaders[i].toLowerCase())) seen.push([rawHeaders[i].toLowerCase(), rawHeaders[i + 1]]);
  const ok = res.status === 200 && seen.length === 1 && seen[0][0] === names[0] && seen[0][1] === tenant;
  const got = seen.map(([h, v]) => `${h}=${v}`).join(', ') || 'none';
  return { token: 'good, spoofed tenant headers', status: res.status, expected: `200, upstream got only ${names[0]}=${tenant} (got ${got})`, ok };
}
