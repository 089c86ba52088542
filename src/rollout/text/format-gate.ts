/** Plain-text rendering of gate results for the CLI: a verdict line and the reason table. */
import type { GateCheck } from '../gates/gate-result.ts';
import type { StrictGateResult } from '../gates/strict-gate.ts';

export function formatChecks(checks: readonly GateCheck[]): string {
  const width = Math.max(8, ...checks.map((c) => c.id.length));
  return checks.map((c) => `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.id.padEnd(width)}  ${c.detail}`).join('\n');
}

export function formatGate(title: string, result: { pass: boolean; checks: readonly GateCheck[] }): string {
  return `${title}: ${result.pass ? 'PASS' : 'FAIL'}\n${formatChecks(result.checks)}`;
}

export function formatStrictDays(gate: StrictGateResult): string {
  const lines = gate.days.map((d) => `  ${d.day}  ${d.status.padEnd(10)}  heartbeats ${String(d.heartbeats).padStart(3)}  legacy ${String(d.legacyTotal).padStart(5)}${d.status === 'legacy use' ? `  ${d.seen}` : ''}`);
  return [`  window ${gate.window.from}..${gate.window.to}; clean streak ${gate.cleanStreak} day(s); earliest pass ${gate.earliestPassDay}`, ...lines].join('\n');
}
