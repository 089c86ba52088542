/** Scanner API shapes and paths (scans, findings and triage, unknowns). */

export interface Scan {
  id: string;
  imageDigest: string;
  imageName: string | null;
  status: string;
  sbomAttached: boolean;
  source: string;
  requestedBy: string;
  componentCount?: number | null;
  findingCount?: number | null;
  unknownCount?: number | null;
  error?: string | null;
  createdAt: string;
  startedAt?: string | null;
  completedAt?: string | null;
}

export interface Finding {
  id: string;
  scanId: string;
  advisoryId: string;
  aliases?: string[];
  severity: string;
  summary?: string;
  package: { name: string; version: string; purl: string };
  fixedVersion?: string | null;
  status: FindingStatus;
  updatedAt?: string;
}

export interface TriageChange {
  seq: number;
  fromStatus: string | null;
  toStatus: string;
  actor: string;
  actorName?: string | null;
  client?: string | null;
  clientName?: string | null;
  note?: string | null;
  changedAt: string;
}

export interface FindingWithHistory extends Finding {
  history: TriageChange[];
}

export const findingStatuses = ['open', 'under_review', 'accepted_risk', 'false_positive', 'fixed'] as const;
export type FindingStatus = (typeof findingStatuses)[number];

export interface Unknown {
  id: string;
  componentName: string;
  componentVersion: string | null;
  purl: string | null;
  reason: string;
  detail: string;
  firstScanId: string;
  observationCount: number;
  firstSeen: string;
  lastSeen: string;
}

export interface ComponentEvidence {
  name?: string;
  version?: string | null;
  purl?: string | null;
  type?: string | null;
  bomRef?: string | null;
  group?: string | null;
}

export interface UnknownEvidence {
  unknownId: string;
  reason: string;
  detail: string;
  component: ComponentEvidence;
  observations: { scanId: string; imageDigest: string; observedAt: string; component: ComponentEvidence }[];
}

export interface UnknownHistoryEvent {
  seq: number;
  event: 'first_seen' | 'seen_again';
  scanId: string;
  imageDigest: string;
  at: string;
}

const id = encodeURIComponent;

export const scannerPaths = {
  scans: '/api/v1/scans',
  summary: '/api/v1/scans/summary',
  scan: (scanId: string) => `/api/v1/scans/${id(scanId)}`,
  scanFindings: (scanId: string) => `/api/v1/scans/${id(scanId)}/findings`,
  triageFindings: (status: string) => `/api/v1/triage/findings${status ? `?status=${id(status)}` : ''}`,
  triageFinding: (findingId: string) => `/api/v1/triage/findings/${id(findingId)}`,
  unknowns: '/api/v1/unknowns',
  unknown: (unknownId: string) => `/api/v1/unknowns/${id(unknownId)}`,
  unknownEvidence: (unknownId: string) => `/api/v1/unknowns/${id(unknownId)}/evidence`,
  unknownHistory: (unknownId: string) => `/api/v1/unknowns/${id(unknownId)}/history`,
};

export function severityTone(severity: string): string {
  return severity === 'critical' || severity === 'high' ? 'danger' : severity === 'medium' ? 'warning' : 'neutral';
}

export function statusLabel(status: string): string {
  return status.replace(/_/g, ' ');
}

/** GET /api/v1/scans/summary (src/modules/scanner/routes/summary-route.ts). */
export interface ScanSummary {
  tenant: string;
  scans: { total: number; byStatus: Record<string, number>; lastCompletedAt: string | null };
  findings: { total: number; unresolved: number; bySeverity: Record<string, number>; unresolvedBySeverity: Record<string, number>; byStatus: Record<string, number> };
  unknowns: { total: number; byReason: Record<string, number> };
}
