/**
 * `evidence import FILE --kind K`: parses JUnit XML or JSON into cases and stores them
 * with the file's sha256. Green = at least one case and none failed.
 */
import { writeAudit } from '../../telemetry/audit.ts';
import { sha256 } from '../checklist/evaluate-checklist.ts';
import { parseJsonEvidence } from '../evidence/parse-json-evidence.ts';
import { EvidenceFormatError, parseJunit } from '../evidence/parse-junit.ts';
import { readEvidenceDirectory } from '../evidence/read-evidence-dir.ts';
import type { EvidenceCase, EvidenceRecord } from '../model.ts';
import { evidenceKinds, type EvidenceKind } from '../policy/schema.ts';
import type { Actor, RolloutEnv } from '../rollout-env.ts';
import { readEvidence } from '../state/read-state.ts';
import type { Tx } from '../../db/database.ts';
import { RolloutInputError } from './refusal.ts';

export interface EvidenceInput {
  kind: string;
  name: string;
  content: string;
  incidentId?: number;
}

export function parseEvidence(kind: string, content: string): { format: string; cases: EvidenceCase[]; summary: Record<string, unknown> } {
  const trimmed = content.trimStart();
  if (trimmed.startsWith('<')) {
    if (kind === 'telemetry-review') throw new EvidenceFormatError('a telemetry review is JSON: {"reviewer","cutoff","legacyTotal"}');
    return { format: 'junit', cases: parseJunit(content), summary: {} };
  }
  return { format: 'json', ...parseJsonEvidence(content, kind) };
}

export async function storeEvidenceIn(tx: Tx, at: Date, input: EvidenceInput & Actor & { format: string; cases: EvidenceCase[]; summary: Record<string, unknown> }): Promise<EvidenceRecord> {
  const failed = input.cases.filter((c) => c.status === 'failed').length;
  const total = input.cases.length;
  const green = total > 0 && failed === 0 && input.cases.some((c) => c.status === 'passed');
  const digest = sha256(input.content);
  const { rows } = await tx.query(
    `insert into rollout.evidence (kind, name, format, sha256, recorded_at, recorded_by, total, failed, green, cases, summary, incident_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
    [input.kind, input.name, input.format, digest, at, input.actor, total, failed, green, JSON.stringify(input.cases), JSON.stringify(input.summary), input.incidentId ?? null],
  );
  await writeAudit(tx, { type: 'rollout.evidence.recorded', outcome: 'success', actor: input.actor, time: at, properties: { id: Number(rows[0].id), kind: input.kind, name: input.name, sha256: digest, total, failed, green, incidentId: input.incidentId ?? null } });
  return (await readEvidence(tx, { kind: input.kind, limit: 1 }))[0];
}

export async function importEvidence(env: RolloutEnv, input: EvidenceInput & Actor): Promise<EvidenceRecord> {
  if (!(evidenceKinds as readonly string[]).includes(input.kind)) throw new RolloutInputError(`unknown evidence kind ${JSON.stringify(input.kind)} (known: ${evidenceKinds.join(', ')})`);
  let parsed: ReturnType<typeof parseEvidence>;
  try {
    parsed = parseEvidence(input.kind as EvidenceKind, input.content);
  } catch (err) {
    if (err instanceof EvidenceFormatError) throw new RolloutInputError(`${input.name}: ${err.message}`);
    throw err;
  }
  return env.db.withTransaction((tx) => storeEvidenceIn(tx, env.clock.now(), { ...input, ...parsed }));
}

/** Projects a browser matrix directory must hold passing cases of (`--kind web`). */
export const WEB_EVIDENCE_PROJECTS = ['desktop', 'mobile'] as const;

/**
 * `evidence import DIR --kind web`: a `console-matrix run` directory, verified against its
 * manifest (the record's sha256 is the manifest's), its JUnit cases plus a failed case for
 * every mismatched or missing file and every required project without a passing case.
 */
export async function importEvidenceDirectory(env: RolloutEnv, input: { kind: string; name: string; dir: string; incidentId?: number } & Actor): Promise<EvidenceRecord> {
  if (input.kind !== 'web') throw new RolloutInputError(`a directory is evidence for --kind web only (a \`console-matrix run\` directory); give ${input.kind} evidence as a file`);
  let parsed: ReturnType<typeof readEvidenceDirectory>;
  try {
    parsed = readEvidenceDirectory(input.dir, WEB_EVIDENCE_PROJECTS);
  } catch (err) {
    if (err instanceof EvidenceFormatError) throw new RolloutInputError(`${input.name}: ${err.message}`);
    throw err;
  }
  return env.db.withTransaction((tx) =>
    storeEvidenceIn(tx, env.clock.now(), { kind: input.kind, name: input.name, content: parsed.content, incidentId: input.incidentId, actor: input.actor, format: 'playwright-dir', cases: parsed.cases, summary: parsed.summary }),
  );
}
