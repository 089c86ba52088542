/** The thin I/O shell around the pure gates: gathers their inputs from PostgreSQL. */
import type { Queryable } from '../../db/database.ts';
import { readDailyCounters } from '../../telemetry/counters.ts';
import { utcDay } from '../../telemetry/clock.ts';
import { legacySignals } from '../../telemetry/signals.ts';
import { evaluatePhaseExitGate, type PhaseExitResult } from '../gates/phase-exit-gate.ts';
import { evaluateMonitors, type MonitorReading } from '../gates/rollback-monitors.ts';
import { evaluateStrictGate, type StrictGateResult } from '../gates/strict-gate.ts';
import { addUtcDays } from '../gates/utc-days.ts';
import type { RolloutPolicy } from '../policy/schema.ts';
import { readDailyTelemetry } from '../state/read-daily-telemetry.ts';
import { readCurrentDeployments, readLatestEvidence, readRolloutState, readSignoffs } from '../state/read-state.ts';

export async function strictGate(db: Queryable, policy: RolloutPolicy, now: Date, options: { ignoreEarliest?: boolean } = {}): Promise<StrictGateResult> {
  const today = utcDay(now);
  const n = policy.compatibility.zeroLegacyDays;
  // Today (partial) is read too: its legacy use moves the earliest pass day.
  const days = await readDailyTelemetry(db, addUtcDays(today, -n), today, legacySignals);
  return evaluateStrictGate({ now, strictEarliest: policy.compatibility.strictEarliest, zeroLegacyDays: n, legacySignals, days, ignoreEarliest: options.ignoreEarliest });
}

export async function phaseExitGate(db: Queryable, policy: RolloutPolicy, now: Date, forUpdate = false): Promise<PhaseExitResult> {
  const state = await readRolloutState(db, forUpdate);
  return evaluatePhaseExitGate({
    now,
    policy,
    state,
    deployments: await readCurrentDeployments(db),
    latestEvidence: await readLatestEvidence(db),
    signoffs: await readSignoffs(db, state.phase),
    zeroLegacy: await strictGate(db, policy, now, { ignoreEarliest: true }),
  });
}

export async function monitorReadings(db: Queryable, policy: RolloutPolicy, now: Date): Promise<MonitorReading[]> {
  const today = utcDay(now);
  const lookback = Math.max(1, ...policy.monitors.map((m) => m.windowDays + (m.baseline?.days ?? 0)));
  const signalNames = [...new Set(policy.monitors.flatMap((m) => m.signals))];
  const counters = signalNames.length ? await readDailyCounters(db as any, addUtcDays(today, -lookback), today, signalNames) : [];
  return evaluateMonitors(policy.monitors, now, counters, await readCurrentDeployments(db));
}
