/**
 * The policy's calendar: every date it holds, moved as one (`rollout policy init --start`)
 * so phase 0 starts on a chosen day with every spacing kept, and the check that a schedule
 * has gone stale (all its dates passed while the rollout is still before its last phase).
 */
import { addUtcDays } from '../gates/utc-days.ts';
import type { PolicyInput, RolloutPolicy } from './schema.ts';

const DAY_MS = 86_400_000;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Every date of the policy, labelled by where it sits (for messages and the stale check). */
export function policyDates(p: RolloutPolicy | PolicyInput): { path: string; day: string }[] {
  const out: { path: string; day: string }[] = [{ path: 'date', day: p.date }];
  p.phases.forEach((ph, i) => {
    out.push({ path: `phases.${i}.window.start`, day: ph.window.start });
    if (ph.window.end) out.push({ path: `phases.${i}.window.end`, day: ph.window.end });
  });
  out.push({ path: 'compatibility.legacyAliasesUntil', day: p.compatibility.legacyAliasesUntil });
  out.push({ path: 'compatibility.strictEarliest', day: p.compatibility.strictEarliest });
  out.push({ path: 'strictRollout.newClientsCutover', day: p.strictRollout.newClientsCutover });
  return out;
}

/**
 * The policy with every date moved by the same number of days, so phase 0 starts on
 * `start`: phase lengths, the gaps between phases, the window's end, the strict earliest
 * day and the cut-over keep their distances; `zeroLegacyDays` is not a date and stays.
 */
export function shiftPolicy(input: PolicyInput, start: string): PolicyInput {
  const by = daysBetween(input.phases[0].window.start, start);
  const move = (d: string) => addUtcDays(d, by);
  return {
    ...input,
    date: move(input.date),
    phases: input.phases.map((ph) => ({ ...ph, window: { ...ph.window, start: move(ph.window.start), ...(ph.window.end ? { end: move(ph.window.end) } : {}) } })),
    compatibility: { ...input.compatibility, legacyAliasesUntil: move(input.compatibility.legacyAliasesUntil), strictEarliest: move(input.compatibility.strictEarliest) },
    strictRollout: { ...input.strictRollout, newClientsCutover: move(input.strictRollout.newClientsCutover) },
  };
}

export const POLICY_INIT_COMMAND = 'tenantgate rollout policy init --start YYYY-MM-DD --out FILE';

/**
 * A warning when every date of the policy lies before `today` while the rollout has not
 * reached its last phase: the schedule describes a past that did not happen. `phase` null:
 * the phase is unknown (a file checked without a database). Null when there is nothing to say.
 */
export function staleScheduleWarning(policy: RolloutPolicy, phase: number | null, today: string): string | null {
  if (phase !== null && phase >= policy.phases.length - 1) return null;
  const dates = policyDates(policy);
  const latest = dates.reduce((max, d) => (d.day > max ? d.day : max), dates[0].day);
  if (latest >= today) return null;
  const where = phase === null ? `; a rollout before phase ${policy.phases.length - 1} needs dates of its own` : ` while the rollout is in phase ${phase}`;
  return `every date of policy ${policy.name} has passed (the latest, ${latest}, ${daysBetween(latest, today)} days ago)${where}; write a schedule of your own with \`${POLICY_INIT_COMMAND}\` and set rollout.policyFile to it`;
}
