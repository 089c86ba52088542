/** The compatibility window in `rollout status` text: end, open/closed, past-window use per client (the warning is among the status warnings). */
import type { LegacyWindowStatus } from '../operations/legacy-window-status.ts';

export function formatLegacyWindow(w: LegacyWindowStatus): string[] {
  const state = w.until === null ? 'no dated end' : w.closed ? `CLOSED ${w.days} day(s) ago (aliases supported through ${w.until})` : `open, ${w.days} day(s) left (aliases supported through ${w.until})`;
  const lines = [`window   ${state}; at the end: ${w.onWindowEnd}`];
  if (w.closed) {
    lines.push(`  past-window use: ${w.pastWindowUse.length === 0 ? 'none' : ''}`.trimEnd());
    for (const u of w.pastWindowUse) lines.push(`    ${(u.client || '(no client)').padEnd(24)} ${String(u.uses).padStart(6)} uses  ${u.firstDay}..${u.lastDay}  ${u.aliases.join(', ')}`);
  }
  return lines;
}
