/**
 * The production readiness checklist (ROLLOUT.md §7), pure: the seed's six items evaluated
 * from recorded evidence into a report whose bytes depend on the evidence only (no clock),
 * so two runs over the same evidence produce identical output and hashes.
 */
import { createHash } from 'node:crypto';
import type { DecisionRecord, EvidenceRecord } from '../model.ts';
import type { ChecklistItem, RolloutPolicy } from '../policy/schema.ts';

export type ItemStatus = 'green' | 'red';

export interface EvidenceRef {
  id: number;
  kind: string;
  name: string;
  sha256: string;
  recordedAt: string;
  total: number;
  failed: number;
  green: boolean;
}

export interface ChecklistItemResult {
  id: string;
  description: string;
  status: ItemStatus;
  reason: string;
  evidence: EvidenceRef[];
}

export interface ChecklistReport {
  policy: string;
  items: ChecklistItemResult[];
  /** sha256 over the evidence-based items: what a decision is recorded against. */
  evidenceSha256: string;
  /** Items that must be green before `go` (every item except the decision itself). */
  red: string[];
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function ref(e: EvidenceRecord): EvidenceRef {
  return { id: e.id, kind: e.kind, name: e.name, sha256: e.sha256, recordedAt: e.recordedAt, total: e.total, failed: e.failed, green: e.green };
}

function evaluateEvidenceItem(item: ChecklistItem, latest: Map<string, EvidenceRecord>): Omit<ChecklistItemResult, 'id' | 'description'> {
  const rule = item.rule;
  if (rule.kind === 'telemetry-review') {
    const e = latest.get('telemetry-review');
    if (!e) return { status: 'red', reason: 'no telemetry review recorded', evidence: [] };
    const cutoff = typeof e.summary.cutoff === 'string' ? e.summary.cutoff : null;
    const reviewer = typeof e.summary.reviewer === 'string' ? e.summary.reviewer : null;
    if (!cutoff || !reviewer) return { status: 'red', reason: `telemetry review #${e.id} lacks a dated cutoff and a reviewer`, evidence: [ref(e)] };
    if (!e.green) return { status: 'red', reason: `telemetry review #${e.id} by ${reviewer} found legacy use up to cutoff ${cutoff}`, evidence: [ref(e)] };
    return { status: 'green', reason: `satisfied by telemetry-review ${named(e)}: reviewed by ${reviewer}, cutoff ${cutoff}`, evidence: [ref(e)] };
  }
  if (rule.kind !== 'evidence') throw new Error('decision items are evaluated separately');
  const verdicts = rule.evidenceKinds.map((kind) => {
    const e = latest.get(kind);
    if (!e) return { e: null, ok: false, text: `${kind}: no evidence recorded` };
    if (!e.green) return { e, ok: false, text: `${kind}: ${named(e)} red (${e.failed} of ${e.total} failed)` };
    const missing = rule.requireCases.filter((word) => !e.cases.some((c) => c.status === 'passed' && c.name.toLowerCase().includes(word.toLowerCase())));
    if (missing.length) return { e, ok: false, text: `${kind}: ${named(e)} has no passing case covering ${missing.join(', ')}` };
    return { e, ok: true, text: `${kind} ${named(e)} green (${e.total - e.failed}/${e.total})` };
  });
  const ok = rule.match === 'all' ? verdicts.every((v) => v.ok) : verdicts.some((v) => v.ok);
  // Green names exactly the evidence that satisfied it; red names exactly what is missing or failing.
  if (ok) {
    const satisfied = verdicts.filter((v) => v.ok);
    return { status: 'green', reason: `satisfied by ${satisfied.map((v) => v.text).join(' and ')}`, evidence: satisfied.map((v) => ref(v.e!)) };
  }
  const failing = verdicts.filter((v) => !v.ok);
  const need = rule.match === 'any' && rule.evidenceKinds.length > 1 ? `missing (any one of ${rule.evidenceKinds.join(', ')} would do)` : 'missing';
  return { status: 'red', reason: `${need}: ${failing.map((v) => v.text).join('; ')}`, evidence: failing.flatMap((v) => (v.e ? [ref(v.e)] : [])) };
}

/** An evidence record as a reason names it: id, file name and the start of its hash. */
function named(e: EvidenceRecord): string {
  return `#${e.id} \`${e.name}\` (sha256 ${e.sha256.slice(0, 12)})`;
}

export function evaluateChecklist(policy: RolloutPolicy, latestEvidence: readonly EvidenceRecord[], latestDecision: DecisionRecord | null): ChecklistReport {
  const latest = new Map(latestEvidence.map((e) => [e.kind as string, e]));
  const evidenceItems: ChecklistItemResult[] = [];
  for (const item of policy.checklist) {
    if (item.rule.kind === 'decision') continue;
    evidenceItems.push({ id: item.id, description: item.description, ...evaluateEvidenceItem(item, latest) });
  }
  const evidenceSha256 = sha256(canonicalJson(evidenceItems));
  const items = policy.checklist.map((item): ChecklistItemResult => {
    if (item.rule.kind !== 'decision') return evidenceItems.find((i) => i.id === item.id)!;
    const d = latestDecision;
    if (!d) return { id: item.id, description: item.description, status: 'red', reason: 'no go/no-go decision recorded', evidence: [] };
    if (d.checklistSha256 !== evidenceSha256) {
      return { id: item.id, description: item.description, status: 'red', reason: `decision #${d.id} (${d.decision}) was made on other evidence (${d.checklistSha256.slice(0, 12)}…)`, evidence: [] };
    }
    const forced = d.forced ? `, forced: ${d.forceReason}` : '';
    return { id: item.id, description: item.description, status: 'green', reason: `decision #${d.id}: ${d.decision} by QA ${d.qa} and PM ${d.pm} at ${d.decidedAt}${forced}`, evidence: [] };
  });
  const red = evidenceItems.filter((i) => i.status === 'red').map((i) => i.id);
  return { policy: policy.name, items, evidenceSha256, red };
}
