/** One row of the acceptance matrix: an id, what it proves, and a check against a live deployment. */
import type { ContractProfile } from '../contract/profile.ts';
import type { RawResponse } from './raw-http.ts';
import type { GatewayClient } from './gateway-client.ts';
import type { MatrixFixtures, TenantFixture } from './fixtures.ts';

export interface MatrixContext {
  gw: GatewayClient;
  fx: MatrixFixtures;
  /** Header and claim names of the deployment under test. */
  profile: ContractProfile;
  /** Module base URLs for the direct (bypassing the gateway) rows; absent = those rows are not applicable. */
  modules: Partial<Record<'platform' | 'scanner' | 'graph', string>>;
}

export interface RowOutcome {
  passed: boolean;
  detail: string;
}

export interface MatrixRow {
  id: string;
  area: string;
  column: 'valid tenant' | 'missing tenant' | 'other tenant' | 'gateway' | 'direct module' | 'authority';
  title: string;
  run(ctx: MatrixContext): Promise<RowOutcome>;
}

/** Collects the checks of one row; the row passes when every check holds. */
export class RowChecks {
  private readonly failures: string[] = [];
  private readonly notes: string[] = [];

  check(ok: boolean, what: string): this {
    (ok ? this.notes : this.failures).push(what);
    return this;
  }

  status(res: RawResponse, expected: number | number[], what: string): this {
    const want = Array.isArray(expected) ? expected : [expected];
    const code = res.json?.code ? ` ${res.json.code}` : '';
    return this.check(want.includes(res.status), `${what} → ${res.status}${code} (want ${want.join('/')})`);
  }

  code(res: RawResponse, codes: string[], what: string): this {
    return this.check(codes.includes(res.json?.code) || codes.includes(res.json?.error_code), `${what} → code ${res.json?.code ?? res.json?.error_code ?? 'none'} (want ${codes.join('/')})`);
  }

  /** The other tenant's id or marker word must not appear in the body. */
  noLeak(res: RawResponse, other: TenantFixture, what: string): this {
    const leaked = res.text.includes(other.tenant) || res.text.includes(other.marker);
    return this.check(!leaked, leaked ? `${what}: body shows ${other.marker} data` : `${what}: no ${other.marker} data`);
  }

  done(): RowOutcome {
    return { passed: this.failures.length === 0, detail: this.failures.length ? `FAILED: ${this.failures.join('; ')}` : this.notes.join('; ') };
  }
}
