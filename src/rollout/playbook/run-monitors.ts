/**
 * Evaluates the rollback monitors once: a tripped monitor opens an incident for its
 * component (once while one is open) and, where the policy says so, runs the playbook.
 */
import type { MonitorReading } from '../gates/rollback-monitors.ts';
import { monitorReadings } from '../operations/evaluate-gates.ts';
import type { RolloutEnv } from '../rollout-env.ts';
import { appendIncidentEvent, findOpenIncident, openIncident } from './incident-log.ts';
import { runRollback, type PlaybookResult } from './run-rollback.ts';

export interface MonitorRun {
  readings: MonitorReading[];
  incidents: { component: string; monitor: string; incidentId: number; opened: boolean; playbook: PlaybookResult | null }[];
}

export async function runMonitors(env: RolloutEnv, options: { actor?: string } = {}): Promise<MonitorRun> {
  const readings = await monitorReadings(env.db, env.policy, env.clock.now());
  const incidents: MonitorRun['incidents'] = [];
  for (const r of readings.filter((x) => x.tripped)) {
    const actor = options.actor ?? `monitor:${r.monitor}`;
    const reason = `${r.description}: ${r.detail}`;
    if (r.autoRollback) {
      const playbook = await runRollback(env, { component: r.module, reason, trigger: `monitor:${r.monitor}`, actor });
      incidents.push({ component: r.module, monitor: r.monitor, incidentId: playbook.incidentId, opened: !playbook.noop, playbook });
      continue;
    }
    const open = await findOpenIncident(env.db, r.module);
    if (open !== null) {
      incidents.push({ component: r.module, monitor: r.monitor, incidentId: open, opened: false, playbook: null });
      continue;
    }
    const incidentId = await env.db.withTransaction(async (tx) => {
      const id = await openIncident(tx, env.clock.now(), { component: r.module, reason, trigger: `monitor:${r.monitor}`, actor });
      await appendIncidentEvent(tx, id, env.clock.now(), { step: 'monitor', outcome: 'info', detail: `${reason}. The policy leaves the rollback to an operator: tenantgate rollout rollback ${r.module} --reason …` });
      return id;
    });
    incidents.push({ component: r.module, monitor: r.monitor, incidentId, opened: true, playbook: null });
  }
  return { readings, incidents };
}
