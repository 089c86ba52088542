/**
 * The fleet operator's summary on the Overview: phase and exit gate, the compatibility window, the
 * strict-mode gate, legacy use over 30 days (days without data apart) and open incidents,
 * from GET /admin/rollout/overview.
 */
import { rolloutPaths, type OperatorOverview } from '../api/rollout.ts';
import { useTenantQuery } from '../api/tenant-query.ts';
import { TenantLink } from '../tenant/TenantLink.tsx';
import { Badge, formatTime } from '../ui/DataTable.tsx';
import { Section } from '../ui/PageHeader.tsx';
import { QueryView } from '../ui/states.tsx';

export function OperatorSummary() {
  const overview = useTenantQuery<OperatorOverview>(['rollout', 'overview'], rolloutPaths.overview);
  return (
    <Section title="Fleet rollout">
      <QueryView query={overview}>{(o) => <OperatorCards overview={o} />}</QueryView>
    </Section>
  );
}

function windowText(w: OperatorOverview['legacyWindow']): string {
  if (w.until === null) return 'no dated end';
  return w.closed ? `closed ${w.days} day${w.days === 1 ? '' : 's'} ago` : `open, ${w.days} day${w.days === 1 ? '' : 's'} left`;
}

function OperatorCards({ overview: o }: { overview: OperatorOverview }) {
  const w = o.legacyWindow;
  const use = o.legacyUse;
  return (
    <>
      {o.warnings.map((warning) => (
        <p key={warning} role="alert" className="error-text" data-testid="fleet-warning">
          {warning}
        </p>
      ))}
      <div className="summary-grid" data-testid="fleet-summary">
        <div className="summary-card">
          <h3>Phase</h3>
          <div className="big">{o.phase.id}</div>
          <p>{o.phase.name}</p>
          <p>{o.phase.frozen ? <Badge tone="danger">frozen: {o.phase.frozenReason ?? 'no reason given'}</Badge> : <Badge tone="ok">not frozen</Badge>}</p>
          <p>
            Exit gate of phase {o.phase.id}: <Badge tone={o.exitGate.pass ? 'ok' : 'danger'}>{o.exitGate.pass ? 'passes' : 'fails'}</Badge>
          </p>
          {o.exitGate.failing.length > 0 && <p className="muted">missing: {o.exitGate.failing.map((f) => f.id).join(', ')}</p>}
        </div>
        <div className="summary-card" data-testid="fleet-window">
          <h3>Compatibility window</h3>
          <p>
            <Badge tone={w.closed ? 'warning' : 'ok'}>{windowText(w)}</Badge>
          </p>
          <p className="muted">
            {w.until === null ? 'legacy aliases have no end date' : `legacy aliases supported through ${w.until}`}; at the end: {w.onWindowEnd}
          </p>
          {w.closed && <p>{w.pastWindowUse.length === 0 ? 'no use after the end' : `${w.pastWindowUse.reduce((s, u) => s + u.uses, 0)} uses after the end by ${w.pastWindowUse.map((u) => u.client || '(no client)').join(', ')}`}</p>}
        </div>
        <div className="summary-card" data-testid="fleet-strict-gate">
          <h3>Strict-mode gate</h3>
          <p>
            <Badge tone={o.strictGate.pass ? 'ok' : 'danger'}>{o.strictGate.pass ? 'passes' : 'fails'}</Badge>
          </p>
          <p>
            {o.strictGate.cleanStreak} of {o.strictGate.required} clean days; earliest pass {o.strictGate.earliestPassDay}
          </p>
          {o.strictGate.failing.length > 0 && <p className="muted">{o.strictGate.failing.map((f) => `${f.id}: ${f.detail}`).join('; ')}</p>}
        </div>
        <div className="summary-card" data-testid="fleet-legacy-use">
          <h3>Legacy use, 30 days</h3>
          <div className="big">{use.total}</div>
          <p>
            {use.daysWithUse} day{use.daysWithUse === 1 ? '' : 's'} with use, {use.daysWithoutData} without data
          </p>
          <p className="muted">
            {use.from} – {use.to}
          </p>
        </div>
        <div className="summary-card" data-testid="fleet-incidents">
          <h3>Open incidents</h3>
          <div className="big">{o.openIncidents.length}</div>
          {o.openIncidents.slice(0, 3).map((i) => (
            <p key={i.id} className="muted">
              #{i.id} {i.component}: {i.reason} ({formatTime(i.openedAt)})
            </p>
          ))}
          <TenantLink to="/rollout">Rollout</TenantLink>
        </div>
      </div>
    </>
  );
}
