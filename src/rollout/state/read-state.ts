/** Reads rollout state from PostgreSQL into the records the gates and reports use. */
import type { Queryable } from '../../db/database.ts';
import type { DecisionRecord, DeploymentRecord, EvidenceRecord, Incident, IncidentEvent, RolloutState, Signoff } from '../model.ts';

const iso = (v: unknown): string => new Date(v as string).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

export async function readRolloutState(db: Queryable, forUpdate = false): Promise<RolloutState> {
  const { rows } = await db.query(`select phase, frozen, frozen_reason, updated_at, updated_by from rollout.state where id = 1${forUpdate ? ' for update' : ''}`);
  const r = rows[0];
  return { phase: r.phase, frozen: r.frozen, frozenReason: r.frozen_reason, updatedAt: iso(r.updated_at), updatedBy: r.updated_by };
}

function deployment(r: any): DeploymentRecord {
  return {
    id: Number(r.id),
    component: r.component,
    buildId: r.build_id,
    configVersion: r.config_version,
    deployedAt: iso(r.deployed_at),
    recordedBy: r.recorded_by,
    lastKnownGood: r.last_known_good,
    current: r.current,
    revertedAt: isoOrNull(r.reverted_at),
    revertedByIncident: r.reverted_by_incident === null ? null : Number(r.reverted_by_incident),
  };
}

export async function readDeployments(db: Queryable, component?: string): Promise<DeploymentRecord[]> {
  const { rows } = await db.query('select * from rollout.deployments where ($1::text is null or component = $1) order by component, id', [component ?? null]);
  return rows.map(deployment);
}

export async function readCurrentDeployments(db: Queryable): Promise<DeploymentRecord[]> {
  const { rows } = await db.query('select * from rollout.deployments where current order by component');
  return rows.map(deployment);
}

function evidence(r: any): EvidenceRecord {
  return {
    id: Number(r.id),
    kind: r.kind,
    name: r.name,
    format: r.format,
    sha256: r.sha256,
    recordedAt: iso(r.recorded_at),
    recordedBy: r.recorded_by,
    total: r.total,
    failed: r.failed,
    green: r.green,
    cases: r.cases,
    summary: r.summary,
    incidentId: r.incident_id === null ? null : Number(r.incident_id),
  };
}

/** The newest record of each evidence kind. */
export async function readLatestEvidence(db: Queryable): Promise<EvidenceRecord[]> {
  const { rows } = await db.query('select distinct on (kind) * from rollout.evidence order by kind, id desc');
  return rows.map(evidence);
}

export async function readEvidence(db: Queryable, options: { kind?: string; incidentId?: number; limit?: number } = {}): Promise<EvidenceRecord[]> {
  const { rows } = await db.query(
    'select * from rollout.evidence where ($1::text is null or kind = $1) and ($2::bigint is null or incident_id = $2) order by id desc limit $3',
    [options.kind ?? null, options.incidentId ?? null, options.limit ?? 100],
  );
  return rows.map(evidence);
}

export async function readSignoffs(db: Queryable, phase?: number): Promise<Signoff[]> {
  const { rows } = await db.query('select * from rollout.signoffs where ($1::int is null or phase = $1) order by id', [phase ?? null]);
  return rows.map((r: any) => ({ id: Number(r.id), phase: r.phase, criterion: r.criterion, signedBy: r.signed_by, owner: r.owner ?? '', note: r.note, at: iso(r.at) }));
}

function decision(r: any): DecisionRecord {
  return {
    id: Number(r.id),
    decision: r.decision,
    qa: r.qa,
    pm: r.pm,
    note: r.note,
    checklistSha256: r.checklist_sha256,
    forced: r.forced,
    forceReason: r.force_reason,
    decidedAt: iso(r.decided_at),
    decidedBy: r.decided_by,
  };
}

export async function readDecisions(db: Queryable, limit = 50): Promise<DecisionRecord[]> {
  const { rows } = await db.query('select * from rollout.decisions order by id desc limit $1', [limit]);
  return rows.map(decision);
}

function incidentEvent(r: any): IncidentEvent {
  return { id: Number(r.id), at: iso(r.at), step: r.step, outcome: r.outcome, detail: r.detail, data: r.data };
}

export async function readIncidents(db: Queryable, options: { id?: number; component?: string; limit?: number } = {}): Promise<Incident[]> {
  const { rows } = await db.query(
    'select * from rollout.incidents where ($1::bigint is null or id = $1) and ($2::text is null or component = $2) order by id desc limit $3',
    [options.id ?? null, options.component ?? null, options.limit ?? 50],
  );
  if (rows.length === 0) return [];
  const events = await db.query('select * from rollout.incident_events where incident_id = any($1::bigint[]) order by id', [rows.map((r: any) => r.id)]);
  return rows.map((r: any) => ({
    id: Number(r.id),
    component: r.component,
    reason: r.reason,
    trigger: r.trigger,
    openedAt: iso(r.opened_at),
    openedBy: r.opened_by,
    status: r.status,
    timeline: events.rows.filter((e: any) => e.incident_id === r.id).map(incidentEvent),
  }));
}

export interface PhaseHistoryEntry {
  fromPhase: number;
  toPhase: number;
  at: string;
  actor: string;
  reason: string;
  forced: boolean;
}

export async function readPhaseHistory(db: Queryable): Promise<PhaseHistoryEntry[]> {
  const { rows } = await db.query('select * from rollout.phase_history order by id desc limit 100');
  return rows.map((r: any) => ({ fromPhase: r.from_phase, toPhase: r.to_phase, at: iso(r.at), actor: r.actor, reason: r.reason, forced: r.forced }));
}
