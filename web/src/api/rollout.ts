/** Rollout controller API (/admin/rollout/*): shapes come from the controller's own types. */
import type { FlagHistoryEntry } from '../../../src/flags/store.ts';
import type { ChecklistReport } from '../../../src/rollout/checklist/evaluate-checklist.ts';
import type { StrictGateResult } from '../../../src/rollout/gates/strict-gate.ts';
import type { DecisionRecord, Incident } from '../../../src/rollout/model.ts';
import type { OperatorOverview } from '../../../src/rollout/operations/operator-overview.ts';
import type { RolloutStatus } from '../../../src/rollout/operations/rollout-status.ts';

export type { ChecklistReport, DecisionRecord, FlagHistoryEntry, Incident, OperatorOverview, RolloutStatus, StrictGateResult };

export interface StrictGateView {
  gate: StrictGateResult;
  legacySignals: string[];
  history: { day: string; complete: boolean; heartbeats: number; legacy: Record<string, number>; legacyTotal: number }[];
}

export interface ChecklistView {
  report: ChecklistReport;
  markdown: string;
  jsonSha256: string;
  markdownSha256: string;
}

export const rolloutPaths = {
  status: '/admin/rollout/status',
  overview: '/admin/rollout/overview',
  strictGate: '/admin/rollout/gates/strict?days=30',
  incidents: '/admin/rollout/incidents',
  checklist: '/admin/rollout/checklist',
  decisions: '/admin/rollout/decisions',
  flagHistory: '/admin/rollout/flags/history',
  advance: '/admin/rollout/advance',
  freeze: '/admin/rollout/freeze',
  unfreeze: '/admin/rollout/unfreeze',
  strict: '/admin/rollout/strict',
  flags: '/admin/rollout/flags',
  rollback: '/admin/rollout/rollback',
  signoffs: '/admin/rollout/signoffs',
};
