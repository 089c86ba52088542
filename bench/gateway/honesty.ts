/**
 * Before HAProxy is measured, proof that it checks what it claims to: a token signed by
 * another key and an expired one are refused (401/403), the good one passes (200).
 */
import type { PeerTokens } from './peer-token.ts';

export interface HonestyCheck {
  token: 'good' | 'foreign key' | 'expired';
  status: number;
  expected: string;
  ok: boolean;
}

export async function checkHaproxyHonest(url: string, tokens: PeerTokens): Promise<HonestyCheck[]> {
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
  return checks;
}
