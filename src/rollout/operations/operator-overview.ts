/**
 * The fleet operator's one-screen summary (the console's Overview): the phase and its exit
 * gate, the compatibility window, the strict-mode gate, legacy use over the last 30 days (days
 * without data counted apart, never as zero) and the open incidents.
 */
import type { Queryable } from '../../db/database.ts';
import { utcDay } from '../../telemetry/clock.ts';
import { legacySignals } from '../../telemetry/signals.ts';
import { addUtcDays } from '../gates/utc-days.ts';
import type { RolloutPolicy } from '../policy/schema.ts';
import { staleScheduleWarning } from '../policy/schedule.ts';
import { readDailySignalTotals } from '../state/read-daily-telemetry.ts';
import { readIncidents, readRolloutState } from '../state/read-state.ts';
import { phaseExitGate, strictGate } from './evaluate-gates.ts';
import { legacyWindowStatus, type LegacyWindowStatus } from './legacy-window-status.ts';

export const OVERVIEW_DAYS = 30;

export interface OperatorOverview {
  phase: { id: number; name: string; last: boolean; frozen: boolean; frozenReason: string | null };
  /** The current phase's exit gate: pass, and the checks that fail. */
  exitGate: { pass: boolean; failing: { id: string; detail: string }[] };
  legacyWindow: LegacyWindowStatus;
  strictGate: { pass: boolean; cleanStreak: number; required: number; earliestPassDay: string; failing: { id: string; detail: string }[] };
  /** Legacy use over the last 30 complete days and today: totals per day, `null` for a day without data. */
  legacyUse: { from: string; to: string; total: number; daysWithUse: number; daysWithoutData: number; days: { day: string; uses: number | null }[] };
  openIncidents: { id: number; component: string; reason: string; openedAt: string }[];
  warnings: string[];
}

export async function operatorOverview(db: Queryable, policy: RolloutPolicy, now: Date): Promise<OperatorOverview> {
  const state = await readRolloutState(db);
  const today = utcDay(now);
  const from = addUtcDays(today, -OVERVIEW_DAYS);
  const gate = await strictGate(db, policy, now);
  const exit = await phaseExitGate(db, policy, now);
  const totals = await readDailySignalTotals(db, from, today);
  const days = totals.map((d) => {
    const uses = legacySignals.reduce((s, name) => s + (d.totals[name] ?? 0), 0);
    // Use counted is use; a zero only means zero on a day some instance reported.
    return { day: d.day, uses: uses === 0 && d.heartbeats === 0 ? null : uses };
  });
  const incidents = (await readIncidents(db, { limit: 200 })).filter((i) => i.status === 'open');
  const legacyWindow = await legacyWindowStatus(db, policy, now);
  const phase = policy.phases[state.phase];
  return {
    phase: { id: phase.id, name: phase.name, last: phase.id === policy.phases.length - 1, frozen: state.frozen, frozenReason: state.frozenReason },
    exitGate: { pass: exit.pass, failing: exit.checks.filter((c) => !c.pass).map((c) => ({ id: c.id, detail: c.detail })) },
    legacyWindow,
    strictGate: {
      pass: gate.pass,
      cleanStreak: gate.cleanStreak,
      required: policy.compatibility.zeroLegacyDays,
      earliestPassDay: gate.earliestPassDay,
      failing: gate.checks.filter((c) => !c.pass).map((c) => ({ id: c.id, detail: c.detail })),
    },
    legacyUse: {
      from,
      to: today,
      total: days.reduce((s, d) => s + (d.uses ?? 0), 0),
      daysWithUse: days.filter((d) => (d.uses ?? 0) > 0).length,
      daysWithoutData: days.filter((d) => d.uses === null).length,
      days,
    },
    openIncidents: incidents.map((i) => ({ id: i.id, component: i.component, reason: i.reason, openedAt: i.openedAt })),
    warnings: [staleScheduleWarning(policy, state.phase, today), legacyWindow.warning].filter((w): w is string => w !== null),
  };
}
