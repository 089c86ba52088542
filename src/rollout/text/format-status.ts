/** `rollout status` as text: phase and window, freeze, flags, instances with their flag versions, deployments, gates. */
import type { RolloutStatus } from '../operations/rollout-status.ts';
import { formatChecks } from './format-gate.ts';
import { formatLegacyWindow } from './format-window.ts';

function formatIssuers(s: RolloutStatus): string {
  const { issuers, findings } = s.fleetIdentity;
  if (issuers.length === 0) return '  issuer: (no Authority or gateway reporting)';
  const each = issuers.map((i) => `${i.issuer} (${i.authorities} authorit${i.authorities === 1 ? 'y' : 'ies'}, ${i.gateways} gateway${i.gateways === 1 ? '' : 's'})`).join(', ');
  const blocking = findings.filter((f) => f.problem === 'issuer_mismatch');
  return blocking.length === 0 ? `  issuer: ${each}` : `  issuer: DISAGREE — ${each}; set authority.issuer the same on every instance`;
}

const running = (s: RolloutStatus) => s.instances.filter((i) => i.state === 'running').length;
const gone = (s: RolloutStatus) => s.instances.filter((i) => i.state === 'gone').length;
function formatSignoffs(s: RolloutStatus): string[] {
  if (s.signoffs.length === 0) return [];
  return [
    `sign-offs (phase ${s.exitGate.phase})`,
    ...s.signoffs.map((p) => {
      const signed = p.signed.map((x) => (x.owner ? `${x.owner} (${x.signedBy})` : x.signedBy)).join(', ') || 'none';
      const missing = p.owners.length ? (p.missing.length ? `missing ${p.missing.join(', ')}` : 'complete') : p.complete ? 'complete' : 'missing a sign-off';
      return `  ${p.criterion.padEnd(26)} signed ${signed}; ${missing}`;
    }),
    '',
  ];
}

function formatSyntheticUse(s: RolloutStatus): string {
  const u = s.syntheticUse;
  const parts = Object.entries(u.bySignal).map(([signal, n]) => `${n} × ${signal}`);
  return `synthetic traffic (acceptance matrix, ${u.window.from}..${u.window.to}; not counted by any gate or monitor): ${parts.length ? parts.join(', ') : 'none'}`;
}

export function formatStatus(s: RolloutStatus): string {
  const w = s.phase.window;
  const window = s.phase.earliestStart ? `earliest ${w.start}` : `${w.start} → ${w.end ?? 'open'}`;
  const lines: string[] = [
    `policy   ${s.policy.title} (${s.policy.name}, ${s.policy.date})`,
    ...s.warnings.map((w) => `WARNING  ${w}`),
    `phase    ${s.phase.id} — ${s.phase.name} (${window})`,
    ...formatLegacyWindow(s.legacyWindow),
    `frozen   ${s.state.frozen ? `YES — ${s.state.frozenReason}` : 'no'}`,
    `incidents open: ${s.openIncidents}`,
    '',
    `flags (version ${s.flags.version})`,
    ...Object.entries(s.flags.values).map(([name, value]) => `  ${name.padEnd(34)} ${String(value)}`),
    ...(s.flagHistory.length ? ['  recent changes:', ...s.flagHistory.slice(0, 5).map((h) => `    v${h.version} ${h.changedAt} ${h.name} ${JSON.stringify(h.previous)} → ${JSON.stringify(h.value)} by ${h.changedBy}: ${h.reason}`)] : []),
    '',
    `instances (${running(s)} running${gone(s) ? `, ${gone(s)} gone` : ''}; ${s.converged ? 'all running on' : 'NOT all running on'} flag version ${s.flags.version})`,
    ...(s.instances.length === 0
      ? ['  (none reporting)']
      : s.instances.map(
          (i) =>
            `  ${i.component.padEnd(10)} ${i.instanceId.padEnd(44)} flag v${String(i.flagVersion).padEnd(4)} ${i.state === 'gone' ? `GONE (not seen for ${Math.round(i.silentMs / 60_000)} min)` : i.converged ? 'converged' : 'BEHIND'}  last seen ${i.lastSeen}${i.identityProblem ? `  IDENTITY: ${i.identityProblem}` : ''}`,
        )),
    formatIssuers(s),
    '',
    'deployments (current)',
    ...(s.deployments.length === 0
      ? ['  (none recorded)']
      : s.deployments.map((d) => `  ${d.component.padEnd(10)} ${d.buildId.padEnd(20)} config ${String(d.configVersion ?? '-').padEnd(8)} ${d.deployedAt}${d.lastKnownGood ? '  last-known-good' : ''}`)),
    '',
    `exit gate (phase ${s.exitGate.phase} → ${s.exitGate.nextPhase ?? '-'}): ${s.exitGate.pass ? 'PASS' : 'FAIL'}`,
    formatChecks(s.exitGate.checks),
    '',
    ...formatSignoffs(s),
    `strict-mode gate: ${s.strictGate.pass ? 'PASS' : 'FAIL'}`,
    formatChecks(s.strictGate.checks),
    '',
    `legacy use per service (${s.serviceLegacyUse[0]?.window.from ?? '-'}..${s.serviceLegacyUse[0]?.window.to ?? '-'})`,
    ...s.serviceLegacyUse.map((u) => {
      const reports = u.kind === 'external' ? `  reported ${u.daysReported}/${u.daysDeclared} declared days${u.daysWithoutReport.length ? `; NO DATA ${u.daysWithoutReport.join(', ')}` : ''}` : '';
      return `  ${u.service.padEnd(12)} ${u.kind.padEnd(9)} ${String(u.uses).padStart(6)} uses (today ${u.today})${reports}`;
    }),
    formatSyntheticUse(s),
  ];
  return lines.join('\n');
}
