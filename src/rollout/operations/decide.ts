/**
 * `decide go|no-go`: records the decision with QA and PM names against the checklist's
 * evidence hash. `go` is refused while an evidence item is red unless forced with a reason.
 */
import { writeAudit } from '../../telemetry/audit.ts';
import { evaluateChecklist, type ChecklistReport } from '../checklist/evaluate-checklist.ts';
import type { DecisionRecord } from '../model.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readDecisions, readLatestEvidence } from '../state/read-state.ts';
import { RolloutInputError, RolloutRefusal } from './refusal.ts';
import type { Queryable } from '../../db/database.ts';
import type { RolloutPolicy } from '../policy/schema.ts';

export async function checklistReport(db: Queryable, policy: RolloutPolicy): Promise<ChecklistReport> {
  const [latestDecision] = await readDecisions(db, 1);
  return evaluateChecklist(policy, await readLatestEvidence(db), latestDecision ?? null);
}

export interface DecisionInput {
  decision: string;
  qa: string;
  pm: string;
  note?: string;
  force?: boolean;
  forceReason?: string;
}

export async function decide(env: RolloutEnv, input: DecisionInput & Actor): Promise<{ decision: DecisionRecord; report: ChecklistReport }> {
  if (input.decision !== 'go' && input.decision !== 'no-go') throw new RolloutInputError(`decision must be go or no-go, not ${JSON.stringify(input.decision)}`);
  if (!input.qa?.trim() || !input.pm?.trim()) throw new RolloutInputError('a decision needs both the QA and the project manager name');
  if (input.force && !input.forceReason?.trim()) throw new RolloutInputError('--force needs --reason');
  const now = env.clock.now();
  // A refusal is committed (its audit event must survive), then thrown.
  const outcome = await env.db.withTransaction(async (tx): Promise<{ decision: DecisionRecord; report: ChecklistReport } | RolloutRefusal> => {
    await tx.query('select pg_advisory_xact_lock(7314051)');
    const report = await checklistReport(tx, env.policy);
    const forced = input.decision === 'go' && report.red.length > 0;
    if (forced && !input.force) {
      await writeAudit(tx, { type: 'rollout.decision.refused', outcome: 'denied', actor: input.actor, time: now, properties: { red: report.red, qa: input.qa, pm: input.pm } });
      return new RolloutRefusal(
        `go refused: red checklist items ${report.red.join(', ')}`,
        report.items.filter((i) => report.red.includes(i.id)).map((i) => ({ id: i.id, description: i.description, pass: false, detail: i.reason })),
      );
    }
    const { rows } = await tx.query(
      `insert into rollout.decisions (decision, qa, pm, note, checklist_sha256, checklist, forced, force_reason, decided_at, decided_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
      [input.decision, input.qa, input.pm, input.note ?? '', report.evidenceSha256, JSON.stringify(report), forced, forced ? input.forceReason : null, now, input.actor],
    );
    await writeAudit(tx, {
      type: forced ? 'rollout.decision.forced' : 'rollout.decision.recorded',
      outcome: 'success',
      actor: input.actor,
      time: now,
      properties: { id: Number(rows[0].id), decision: input.decision, qa: input.qa, pm: input.pm, checklistSha256: report.evidenceSha256, red: report.red, forceReason: forced ? input.forceReason : null },
    });
    const [decision] = await readDecisions(tx, 1);
    return { decision, report: await checklistReport(tx, env.policy) };
  });
  if (outcome instanceof RolloutRefusal) throw outcome;
  return outcome;
}
