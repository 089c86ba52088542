/**
 * Everything `rollout status` shows: phase and window, freeze, flags with their recent
 * history, running instances with the flag version each reports (convergence) and the
 * issuer each works with (one fleet, one issuer), current
 * deployments, and the gates at a glance.
 */
import type { Queryable } from '../../db/database.ts';
import type { FlagCatalogue } from '../../flags/definitions.ts';
import { flagHistory, readFlagSnapshot, type FlagHistoryEntry, type FlagSnapshot } from '../../flags/store.ts';
import type { PhaseExitResult } from '../gates/phase-exit-gate.ts';
import type { StrictGateResult } from '../gates/strict-gate.ts';
import type { DeploymentRecord, RolloutState } from '../model.ts';
import type { Phase, RolloutPolicy } from '../policy/schema.ts';
import { readCurrentDeployments, readRolloutState, readSignoffs } from '../state/read-state.ts';
import { signoffProgress, type SignoffProgress } from '../gates/owner-signoffs.ts';
import { phaseExitGate, strictGate } from './evaluate-gates.ts';
import { readServiceLegacyUse, type ServiceLegacyUse } from './service-legacy-use.ts';
import { legacyWindowStatus, type LegacyWindowStatus } from './legacy-window-status.ts';
import { staleScheduleWarning } from '../policy/schedule.ts';
import { utcDay } from '../../telemetry/clock.ts';
import { readSyntheticUse, type SyntheticUse } from './synthetic-use.ts';
import { compareFleetIdentity, LIVE_INSTANCE_MS, type FleetIdentity } from '../../telemetry/fleet-identity.ts';
import { DEFAULT_HEARTBEAT_MS, GONE_AFTER_PERIODS } from '../../telemetry/instance.ts';

/** Gone instances stay listed for a day after they were last seen. */
const GONE_LISTED_MS = 86_400_000;

export interface InstanceStatus {
  instanceId: string;
  component: string;
  host: string;
  pid: number;
  startedAt: string;
  lastSeen: string;
  /** `gone`: not seen for three of its heartbeat periods (it no longer counts toward convergence). */
  state: 'running' | 'gone';
  /** How long since it was last seen, in ms. */
  silentMs: number;
  flagVersion: number;
  /** On the current flag version; always false for a gone instance. */
  converged: boolean;
  /** The issuer it issues (Authority) or accepts (gateway); null for components without one. */
  issuer: string | null;
  keyIds: string[];
  /** Why it disagrees with the fleet on token identity, or null. */
  identityProblem: string | null;
}

export interface RolloutStatus {
  policy: { name: string; title: string; date: string };
  state: RolloutState;
  phase: Pick<Phase, 'id' | 'name' | 'window' | 'earliestStart'>;
  flags: FlagSnapshot;
  flagHistory: FlagHistoryEntry[];
  /** Running instances first, then gone ones (not stopped, seen in the last day, silent for three heartbeat periods). */
  instances: InstanceStatus[];
  /** Every running instance is on the current flag version (gone instances do not count). */
  converged: boolean;
  /** Issuers seen across live instances, and the instances that disagree (one fleet, one issuer). */
  fleetIdentity: FleetIdentity;
  deployments: DeploymentRecord[];
  openIncidents: number;
  exitGate: PhaseExitResult;
  /** The current phase's sign-off criteria: who signed and which owner roles are missing. */
  signoffs: SignoffProgress[];
  strictGate: StrictGateResult;
  /** Legacy use per service (built-in modules and declared external services) over the strict window. */
  serviceLegacyUse: ServiceLegacyUse[];
  /** The compatibility window for legacy tenant header aliases. */
  legacyWindow: LegacyWindowStatus;
  /** Warnings an operator should act on (a stale schedule, a closed window still in use). */
  warnings: string[];
  /** Traffic of synthetic clients and tenants (the acceptance matrix), left out of every gate and monitor. */
  syntheticUse: SyntheticUse;
}

export async function readInstances(db: Queryable, now: Date, flagVersion: number): Promise<{ instances: InstanceStatus[]; fleetIdentity: FleetIdentity }> {
  const { rows } = await db.query(
    `select instance_id, component, host, pid, started_at, last_seen, flag_version::float8 as flag_version, issuer, key_ids, signing_kid,
            coalesce(heartbeat_interval_ms, $2)::float8 as heartbeat_interval_ms
       from telemetry.instances where stopped_at is null and last_seen >= $1 order by component, instance_id`,
    [new Date(now.getTime() - GONE_LISTED_MS), DEFAULT_HEARTBEAT_MS],
  );
  const silent = (r: any) => Math.max(0, now.getTime() - new Date(r.last_seen).getTime());
  const isGone = (r: any) => silent(r) > GONE_AFTER_PERIODS * Number(r.heartbeat_interval_ms);
  const fleetIdentity = compareFleetIdentity(
    rows.filter((r: any) => !isGone(r) && now.getTime() - new Date(r.last_seen).getTime() <= LIVE_INSTANCE_MS).map((r: any) => ({ instanceId: r.instance_id, component: r.component, issuer: r.issuer, keyIds: r.key_ids, signingKid: r.signing_kid })),
  );
  const problems = new Map<string, string>();
  for (const f of fleetIdentity.findings) problems.set(f.instanceId, [problems.get(f.instanceId), f.detail].filter(Boolean).join('; '));
  const instances: InstanceStatus[] = rows.map((r: any) => ({
    instanceId: r.instance_id,
    component: r.component,
    host: r.host,
    pid: r.pid,
    startedAt: new Date(r.started_at).toISOString(),
    lastSeen: new Date(r.last_seen).toISOString(),
    state: isGone(r) ? ('gone' as const) : ('running' as const),
    silentMs: silent(r),
    flagVersion: Number(r.flag_version),
    converged: !isGone(r) && Number(r.flag_version) === flagVersion,
    issuer: r.issuer,
    keyIds: r.key_ids,
    identityProblem: problems.get(r.instance_id) ?? null,
  }));
  instances.sort((a, b) => (a.state === b.state ? 0 : a.state === 'running' ? -1 : 1));
  return { instances, fleetIdentity };
}

async function currentSignoffs(db: Queryable, policy: RolloutPolicy, phase: number): Promise<SignoffProgress[]> {
  const recorded = await readSignoffs(db, phase);
  return policy.phases[phase].exitCriteria.filter((c) => c.check.kind === 'signoff').map((c) => signoffProgress(c, phase, recorded));
}

/** `catalogue`: the deployment's flags (its declared services' included); default the built-in ones. */
export async function rolloutStatus(db: Queryable, policy: RolloutPolicy, now: Date, catalogue?: FlagCatalogue): Promise<RolloutStatus> {
  const state = await readRolloutState(db);
  const flags = await readFlagSnapshot(db as any, catalogue);
  const { instances, fleetIdentity } = await readInstances(db, now, flags.version);
  const phase = policy.phases[state.phase];
  const open = await db.query("select count(*)::int as n from rollout.incidents where status = 'open'");
  const legacyWindow = await legacyWindowStatus(db, policy, now);
  const warnings = [staleScheduleWarning(policy, state.phase, utcDay(now)), legacyWindow.warning].filter((w): w is string => w !== null);
  return {
    policy: { name: policy.name, title: policy.title, date: policy.date },
    state,
    phase: { id: phase.id, name: phase.name, window: phase.window, earliestStart: phase.earliestStart },
    flags,
    flagHistory: await flagHistory(db as any, undefined, 20),
    instances,
    converged: instances.every((i) => i.state === 'gone' || i.converged),
    fleetIdentity,
    deployments: await readCurrentDeployments(db),
    openIncidents: open.rows[0].n,
    exitGate: await phaseExitGate(db, policy, now),
    signoffs: await currentSignoffs(db, policy, state.phase),
    strictGate: await strictGate(db, policy, now),
    serviceLegacyUse: await readServiceLegacyUse(db, policy.compatibility.zeroLegacyDays, now),
    legacyWindow,
    warnings,
    syntheticUse: await readSyntheticUse(db, policy, now),
  };
}
