/** An incident and its timeline as text. */
import type { Incident } from '../model.ts';

export function formatIncident(i: Incident): string {
  return [
    `incident #${i.id}  ${i.component}  ${i.status}  opened ${i.openedAt} by ${i.openedBy} (${i.trigger})`,
    `  reason: ${i.reason}`,
    ...i.timeline.map((e) => `  ${e.at}  ${e.step.padEnd(8)} ${e.outcome.padEnd(9)} ${e.detail}`),
  ].join('\n');
}
