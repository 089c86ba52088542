/**
 * The compatibility window as state for `rollout status`, the admin API and the console:
 * its end, open or closed and for how long, what the policy does at the end, the legacy
 * alias use counted after the end per client (past-window use: counter rows dated after
 * `legacyAliasesUntil`) and a warning when the window has closed while aliases are still
 * accepted and clients still send them.
 */
import type { Queryable } from '../../db/database.ts';
import { legacyWindowState, type LegacyWindowState } from '../../contract/legacy-window.ts';
import { signals } from '../../telemetry/signals.ts';
import { addUtcDays } from '../gates/utc-days.ts';
import type { RolloutPolicy } from '../policy/schema.ts';

/** The counters of legacy tenant header aliases (not the `tid` claim: the window is about headers). */
export const legacyAliasSignals = [signals.gatewayLegacyHeader, signals.webLegacyHeader, signals.moduleLegacyHeader, signals.serviceLegacyHeader];

export interface PastWindowUse {
  client: string;
  uses: number;
  aliases: string[];
  firstDay: string;
  lastDay: string;
}

export interface LegacyWindowStatus extends LegacyWindowState {
  /** Whether the gateway still accepts an alias from some client now. */
  aliasesAccepted: boolean;
  /** Legacy alias use counted after the window's end, per client (most uses first). */
  pastWindowUse: PastWindowUse[];
  warning: string | null;
}

export function describeLegacyWindow(policy: RolloutPolicy, now: Date, pastWindowUse: PastWindowUse[]): LegacyWindowStatus {
  const state = legacyWindowState({ legacyAliasesUntil: policy.compatibility.legacyAliasesUntil, onWindowEnd: policy.legacyAliases.onWindowEnd }, now);
  const aliasesAccepted = !state.closed || state.onWindowEnd !== 'reject-all';
  let warning: string | null = null;
  if (state.closed && aliasesAccepted && pastWindowUse.length > 0) {
    const names = pastWindowUse.slice(0, 5).map((u) => `${u.client || '(no client)'} (${u.uses})`);
    const more = pastWindowUse.length > 5 ? ` and ${pastWindowUse.length - 5} more` : '';
    const who = state.onWindowEnd === 'keep' ? 'legacy aliases are still accepted' : 'legacy aliases are still accepted from clients created before the cut-over';
    warning = `the compatibility window closed ${state.days} day(s) ago (after ${state.until}) but ${who}; clients still using them: ${names.join(', ')}${more}`;
  }
  return { ...state, aliasesAccepted, pastWindowUse, warning };
}

export async function readPastWindowUse(db: Queryable, until: string): Promise<PastWindowUse[]> {
  const { rows } = await db.query<{ client: string; uses: number; aliases: string[]; first_day: string; last_day: string }>(
    `select client, sum(count)::float8 as uses, array_agg(distinct alias order by alias) as aliases,
            to_char(min(utc_day), 'YYYY-MM-DD') as first_day, to_char(max(utc_day), 'YYYY-MM-DD') as last_day
       from telemetry.daily_counters
      where utc_day >= $1::date and signal = any($2) and count > 0
      group by client order by uses desc, client`,
    [addUtcDays(until, 1), legacyAliasSignals],
  );
  return rows.map((r) => ({ client: r.client, uses: Number(r.uses), aliases: r.aliases.filter((a) => a !== ''), firstDay: r.first_day, lastDay: r.last_day }));
}

export async function legacyWindowStatus(db: Queryable, policy: RolloutPolicy, now: Date): Promise<LegacyWindowStatus> {
  return describeLegacyWindow(policy, now, await readPastWindowUse(db, policy.compatibility.legacyAliasesUntil));
}
