/**
 * Revocations as every gateway (and Authority instance) applies them: rows of
 * authority.revocations, announced on one NOTIFY channel, checked against a verified token
 * from memory. Pure: no I/O.
 */
export const REVOCATION_CHANNEL = 'tenantgate_revocations';

export interface RevocationRow {
  jti: string | null;
  clientId: string | null;
  subject: string | null;
  tenant: string | null;
  notBeforeMs: number;
  expiresAtMs: number;
}

/** What a revocation is checked against: a verified token. */
export interface RevocableIdentity {
  tokenId?: string | null;
  /** When the token was issued (ms); unknown counts as issued before every rule. */
  issuedAtMs?: number;
  clientId: string;
  subject: string;
  tenant: string | null;
  /** Considered when `tenant` is null (a legacy `tid` claim). */
  legacyTenant?: string | null;
}

const key = (client: string | null, subject: string | null, tenant: string | null) => `${client ?? '*'}\u0000${subject ?? '*'}\u0000${tenant ?? '*'}`;

/** Pure state: which tokens are revoked. `generation` changes whenever the answer might. */
export class RevocationList {
  private readonly jtis = new Map<string, number>();
  private readonly rules = new Map<string, { notBeforeMs: number; expiresAtMs: number }>();
  private gen = 0;

  get generation(): number {
    return this.gen;
  }

  get size(): number {
    return this.jtis.size + this.rules.size;
  }

  /** Idempotent: applying a row again changes nothing. */
  apply(rows: readonly RevocationRow[]): void {
    let changed = false;
    for (const r of rows) {
      if (r.jti !== null) {
        if (!this.jtis.has(r.jti)) {
          this.jtis.set(r.jti, r.expiresAtMs);
          changed = true;
        }
        continue;
      }
      if (r.clientId === null && r.subject === null) continue;
      const k = key(r.clientId, r.subject, r.tenant);
      const had = this.rules.get(k);
      if (!had || had.notBeforeMs < r.notBeforeMs) {
        this.rules.set(k, { notBeforeMs: r.notBeforeMs, expiresAtMs: Math.max(r.expiresAtMs, had?.expiresAtMs ?? 0) });
        changed = true;
      }
    }
    if (changed) this.gen++;
  }

  /** Forgets what no live token can be covered by any more. */
  prune(nowMs: number): void {
    for (const [jti, exp] of this.jtis) if (exp <= nowMs) this.jtis.delete(jti);
    for (const [k, rule] of this.rules) if (rule.expiresAtMs <= nowMs) this.rules.delete(k);
  }

  revokes(t: RevocableIdentity): boolean {
    if (this.jtis.size > 0 && t.tokenId && this.jtis.has(t.tokenId)) return true;
    if (this.rules.size === 0) return false;
    const issued = t.issuedAtMs ?? 0;
    const selected = t.tenant ?? t.legacyTenant ?? null;
    for (const client of [t.clientId, null]) {
      for (const subject of [t.subject, null]) {
        if (client === null && subject === null) continue;
        for (const tenant of selected === null ? [null] : [selected, null]) {
          const rule = this.rules.get(key(client, subject, tenant));
          if (rule && issued < rule.notBeforeMs) return true;
        }
      }
    }
    return false;
  }
}
