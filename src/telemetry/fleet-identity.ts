/**
 * One fleet, one issuer: every Authority must issue the issuer every gateway accepts, or
 * the gateways reject its tokens with 401. Instances record their issuer and key ids with
 * their heartbeat (InstanceReporter.reportIdentity); this compares them.
 */
import type { Queryable } from '../db/database.ts';

export interface InstanceIdentity {
  instanceId: string;
  component: string;
  issuer: string | null;
  keyIds: string[];
  signingKid: string | null;
}

export type IdentityProblem = 'issuer_mismatch' | 'key_missing';

export interface IdentityFinding {
  instanceId: string;
  component: string;
  problem: IdentityProblem;
  detail: string;
  /**
   * The instance cannot do its work with the fleet it is in (a gateway no live Authority's
   * tokens verify at; an Authority whose tokens no live gateway accepts): it is not ready.
   * Other findings are shown, not enforced.
   */
  blocksReadiness: boolean;
}

export interface FleetIdentity {
  /** Each issuer seen, with how many live Authorities issue it and gateways accept it. */
  issuers: { issuer: string; authorities: number; gateways: number }[];
  findings: IdentityFinding[];
}

/** Instances seen within this long count as live (as in `rollout status`). */
export const LIVE_INSTANCE_MS = 5 * 60_000;

export async function readInstanceIdentities(db: Queryable, now: Date): Promise<InstanceIdentity[]> {
  const { rows } = await db.query<{ instance_id: string; component: string; issuer: string | null; key_ids: string[]; signing_kid: string | null }>(
    `select instance_id, component, issuer, key_ids, signing_kid from telemetry.instances
      where stopped_at is null and last_seen >= $1 and issuer is not null order by component, instance_id`,
    [new Date(now.getTime() - LIVE_INSTANCE_MS)],
  );
  return rows.map((r) => ({ instanceId: r.instance_id, component: r.component, issuer: r.issuer, keyIds: r.key_ids, signingKid: r.signing_kid }));
}

const list = (values: Iterable<string>) => [...new Set(values)].sort().join(', ');

/** Pure: which live instances cannot work with each other's tokens, and why. */
export function compareFleetIdentity(instances: readonly InstanceIdentity[]): FleetIdentity {
  const authorities = instances.filter((i) => i.component === 'authority' && i.issuer !== null);
  const gateways = instances.filter((i) => i.component === 'gateway' && i.issuer !== null);
  const issued = new Set(authorities.map((a) => a.issuer!));
  const accepted = new Set(gateways.map((g) => g.issuer!));
  const findings: IdentityFinding[] = [];
  for (const g of gateways) {
    if (authorities.length > 0 && !issued.has(g.issuer!)) {
      findings.push({ instanceId: g.instanceId, component: g.component, problem: 'issuer_mismatch', detail: `accepts issuer ${g.issuer}, but the live Authorities issue ${list(issued)}`, blocksReadiness: true });
      continue;
    }
    // A gateway fetches an unknown kid on first sight; a key still missing at heartbeat time is worth seeing.
    const missing = authorities.filter((a) => a.issuer === g.issuer && a.signingKid !== null && g.keyIds.length > 0 && !g.keyIds.includes(a.signingKid));
    if (missing.length > 0) {
      findings.push({ instanceId: g.instanceId, component: g.component, problem: 'key_missing', detail: `does not hold the signing key ${list(missing.map((a) => a.signingKid!))} of ${list(missing.map((a) => a.instanceId))}`, blocksReadiness: false });
    }
  }
  for (const a of authorities) {
    if (gateways.length > 0 && !accepted.has(a.issuer!)) {
      findings.push({ instanceId: a.instanceId, component: a.component, problem: 'issuer_mismatch', detail: `issues ${a.issuer}, which no live gateway accepts (they accept ${list(accepted)})`, blocksReadiness: true });
    } else if (gateways.length === 0 && issued.size > 1) {
      findings.push({ instanceId: a.instanceId, component: a.component, problem: 'issuer_mismatch', detail: `issues ${a.issuer} while other Authorities issue ${list([...issued].filter((i) => i !== a.issuer))}`, blocksReadiness: false });
    }
  }
  const issuers = [...new Set([...issued, ...accepted])].sort().map((issuer) => ({
    issuer,
    authorities: authorities.filter((a) => a.issuer === issuer).length,
    gateways: gateways.filter((g) => g.issuer === issuer).length,
  }));
  return { issuers, findings };
}

/**
 * A periodically refreshed view of the fleet for one instance's readiness: never a database
 * round trip on the probe itself (the last view is kept while the database is away).
 */
export class FleetIdentityView {
  private last: { at: number; fleet: FleetIdentity } | null = null;
  private inflight: Promise<void> | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly instanceId: string,
    private readonly now: () => Date,
    private readonly maxAgeMs = 5_000,
  ) {}

  refresh(): Promise<void> {
    this.inflight ??= readInstanceIdentities(this.db, this.now())
      .then((instances) => {
        this.last = { at: Date.now(), fleet: compareFleetIdentity(instances) };
      })
      .catch(() => undefined)
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  /**
   * What keeps this instance from being ready, from the latest view; an old view is
   * refreshed in the background, and only the very first one is waited for (up to `waitMs`,
   * so readiness never hangs on the database).
   */
  async blockingProblem(waitMs: number): Promise<IdentityFinding | null> {
    if (!this.last || Date.now() - this.last.at > this.maxAgeMs) {
      const refreshing = this.refresh();
      if (!this.last) await Promise.race([refreshing, new Promise((r) => setTimeout(r, waitMs).unref())]);
    }
    return this.last?.fleet.findings.find((f) => f.instanceId === this.instanceId && f.blocksReadiness) ?? null;
  }
}
