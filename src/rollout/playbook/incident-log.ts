/** Incidents and their timelines: each playbook step is one event, written as it happens. */
import type { Queryable } from '../../db/database.ts';
import { writeAudit } from '../../telemetry/audit.ts';
import type { IncidentEvent } from '../model.ts';

export async function openIncident(db: Queryable, at: Date, input: { component: string; reason: string; trigger: string; actor: string }): Promise<number> {
  const { rows } = await db.query('insert into rollout.incidents (component, reason, trigger, opened_at, opened_by) values ($1, $2, $3, $4, $5) returning id', [
    input.component,
    input.reason,
    input.trigger,
    at,
    input.actor,
  ]);
  const id = Number(rows[0].id);
  await writeAudit(db, { type: 'rollout.incident.opened', outcome: 'info', actor: input.actor, time: at, properties: { id, component: input.component, reason: input.reason, trigger: input.trigger } });
  return id;
}

export async function findOpenIncident(db: Queryable, component: string): Promise<number | null> {
  const { rows } = await db.query("select id from rollout.incidents where component = $1 and status = 'open' order by id desc limit 1", [component]);
  return rows.length ? Number(rows[0].id) : null;
}

export async function appendIncidentEvent(
  db: Queryable,
  incidentId: number,
  at: Date,
  event: { step: string; outcome: IncidentEvent['outcome']; detail: string; data?: Record<string, unknown> },
): Promise<void> {
  await db.query('insert into rollout.incident_events (incident_id, at, step, outcome, detail, data) values ($1, $2, $3, $4, $5, $6)', [
    incidentId,
    at,
    event.step,
    event.outcome,
    event.detail,
    JSON.stringify(event.data ?? {}),
  ]);
}

export async function resolveIncident(db: Queryable, incidentId: number, at: Date, input: { actor: string; note: string }): Promise<boolean> {
  const { rowCount } = await db.query("update rollout.incidents set status = 'resolved' where id = $1 and status = 'open'", [incidentId]);
  if (!rowCount) return false;
  await appendIncidentEvent(db, incidentId, at, { step: 'resolved', outcome: 'info', detail: input.note });
  await writeAudit(db, { type: 'rollout.incident.resolved', outcome: 'success', actor: input.actor, time: at, properties: { id: incidentId, note: input.note } });
  return true;
}
