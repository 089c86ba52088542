/** The records rollout state is made of, as the gates and reports see them. */
import type { EvidenceKind } from './policy/schema.ts';

export interface RolloutState {
  phase: number;
  frozen: boolean;
  frozenReason: string | null;
  updatedAt: string;
  updatedBy: string;
}

export interface DeploymentRecord {
  id: number;
  /** A built-in component or a declared service (src/rollout/components.ts). */
  component: string;
  buildId: string;
  configVersion: string | null;
  deployedAt: string;
  recordedBy: string;
  lastKnownGood: boolean;
  current: boolean;
  revertedAt: string | null;
  revertedByIncident: number | null;
}

export interface EvidenceCase {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  message?: string;
}

export interface EvidenceRecord {
  id: number;
  kind: EvidenceKind;
  name: string;
  format: string;
  sha256: string;
  recordedAt: string;
  recordedBy: string;
  total: number;
  failed: number;
  green: boolean;
  cases: EvidenceCase[];
  summary: Record<string, unknown>;
  incidentId: number | null;
}

export interface Signoff {
  id: number;
  phase: number;
  criterion: string;
  signedBy: string;
  /** The owner role signed for ('' when the criterion names no owners). */
  owner: string;
  note: string;
  at: string;
}

export interface DecisionRecord {
  id: number;
  decision: 'go' | 'no-go';
  qa: string;
  pm: string;
  note: string;
  checklistSha256: string;
  forced: boolean;
  forceReason: string | null;
  decidedAt: string;
  decidedBy: string;
}

export interface IncidentEvent {
  id: number;
  at: string;
  step: string;
  outcome: 'done' | 'unchanged' | 'failed' | 'info';
  detail: string;
  data: Record<string, unknown>;
}

export interface Incident {
  id: number;
  component: string;
  reason: string;
  trigger: string;
  openedAt: string;
  openedBy: string;
  status: 'open' | 'resolved';
  timeline: IncidentEvent[];
}
