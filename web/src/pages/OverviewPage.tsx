/**
 * Overview: a summary of what the signed-in person works on — for a fleet operator the
 * fleet's rollout state, for everyone who reads the tenant's scans its scans, findings and
 * unknowns — then the Platform's view of this request and the user's preferences.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { describeError } from '../api/errors.ts';
import type { Page } from '../api/page.ts';
import { platformPaths, timeWindows, type Environment, type PlatformContext, type Preferences, type PreferencesUpdate } from '../api/platform.ts';
import { scannerPaths, type ScanSummary } from '../api/scanner.ts';
import { useTenantMutation, useTenantQuery } from '../api/tenant-query.ts';
import { scopes } from '../../../src/contract/scopes.ts';
import { OperatorSummary } from '../rollout/OperatorSummary.tsx';
import { TenantLink } from '../tenant/TenantLink.tsx';

import { Person } from '../ui/Person.tsx';
import { useConsole } from '../app/console-context.ts';
import { Badge, Fields, formatTime } from '../ui/DataTable.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { QueryView } from '../ui/states.tsx';

export function OverviewPage() {
  const { tenantName, tenant, scopes: granted } = useConsole();
  const context = useTenantQuery<PlatformContext>(['platform', 'context'], platformPaths.context);
  const preferences = useTenantQuery<Preferences>(['platform', 'preferences'], platformPaths.preferences);
  return (
    <>
      <PageHeader title="Overview" />
      <p className="lead">
        Working in <strong>{tenantName(tenant)}</strong> <code>{tenant}</code>.
      </p>
      {granted.includes(scopes.rolloutWrite) && <OperatorSummary />}
      {granted.includes(scopes.scannerRead) && <TenantSummary tenantLabel={tenantName(tenant)} />}
      <Section title="Request context">
        <QueryView query={context}>
          {(c) => (
            <Fields
              entries={[
                ['Tenant', <code key="t">{c.tenant}</code>],
                ['Actor', <Person key="a" name={c.actorName} id={c.actor} showId />],
                ['Client', <Person key="c" name={c.clientName} id={c.client} />],
                ['Scopes', <span key="s" className="chips">{c.scopes.map((s) => <code key={s}>{s}</code>)}</span>],
              ]}
            />
          )}
        </QueryView>
      </Section>
      <Section title="Preferences in this tenant">
        <QueryView query={preferences}>{(p) => <PreferencesForm preferences={p} />}</QueryView>
      </Section>
    </>
  );
}

function PreferencesForm({ preferences }: { preferences: Preferences }) {
  const id = useId();
  const environments = useTenantQuery<Page<Environment>>(['platform', 'environments'], platformPaths.environments);
  const [draft, setDraft] = useState<PreferencesUpdate>(() => pick(preferences));
  useEffect(() => setDraft(pick(preferences)), [preferences]);
  const save = useTenantMutation<PreferencesUpdate, Preferences>((body) => ({ method: 'PUT', path: platformPaths.preferences, body }), [['platform', 'preferences']]);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(draft);
  };
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  return (
    <form className="form" onSubmit={onSubmit}>
      <div className="form-row">
        <label htmlFor={`${id}-region`}>Region</label>
        <input id={`${id}-region`} value={draft.region ?? ''} onChange={(e) => setDraft({ ...draft, region: text(e.target.value) })} />
      </div>
      <div className="form-row">
        <label htmlFor={`${id}-environment`}>Environment</label>
        <select id={`${id}-environment`} value={draft.environment ?? ''} onChange={(e) => setDraft({ ...draft, environment: text(e.target.value) })}>
          <option value="">(none)</option>
          {(environments.data?.items ?? []).map((env) => (
            <option key={env.id} value={env.id}>
              {env.name} ({env.id})
            </option>
          ))}
          {draft.environment && !environments.data?.items.some((env) => env.id === draft.environment) && <option value={draft.environment}>{draft.environment}</option>}
        </select>
      </div>
      <div className="form-row">
        <label htmlFor={`${id}-window`}>Time window</label>
        <select id={`${id}-window`} value={draft.timeWindow ?? ''} onChange={(e) => setDraft({ ...draft, timeWindow: text(e.target.value) })}>
          <option value="">(none)</option>
          {timeWindows.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
      </div>
      <div className="form-row">
        <label htmlFor={`${id}-stage`}>Stage</label>
        <input id={`${id}-stage`} value={draft.stage ?? ''} onChange={(e) => setDraft({ ...draft, stage: text(e.target.value) })} />
      </div>
      <div className="form-actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save preferences'}
        </button>
        <span className="hint">Last saved {formatTime(preferences.updatedAt)}</span>
        {save.isError && <span role="alert" className="error-text">{describeError(save.error)}</span>}
        {save.isSuccess && <span role="status">Saved.</span>}
      </div>
    </form>
  );
}

function pick(p: Preferences): PreferencesUpdate {
  return { region: p.region, environment: p.environment, timeWindow: p.timeWindow, stage: p.stage };
}

const severities = ['critical', 'high', 'medium', 'low'] as const;
const severityTone: Record<string, string> = { critical: 'danger', high: 'danger', medium: 'warning', low: 'neutral' };

function TenantSummary({ tenantLabel }: { tenantLabel: string }) {
  const summary = useTenantQuery<ScanSummary>(['scanner', 'summary'], scannerPaths.summary);
  return (
    <Section title={`${tenantLabel} at a glance`}>
      <QueryView query={summary}>
        {(s) => (
          <div className="summary-grid" data-testid="tenant-summary">
            <div className="summary-card">
              <h3>Scans</h3>
              <div className="big">{s.scans.total}</div>
              <p>
                {s.scans.byStatus.completed ?? 0} completed
                {s.scans.byStatus.queued || s.scans.byStatus.running ? `, ${(s.scans.byStatus.queued ?? 0) + (s.scans.byStatus.running ?? 0)} in progress` : ''}
                {s.scans.byStatus.failed ? `, ${s.scans.byStatus.failed} failed` : ''}
              </p>
              <p className="muted">Last completed {s.scans.lastCompletedAt ? formatTime(s.scans.lastCompletedAt) : 'never'}</p>
              <TenantLink to="/scans">All scans</TenantLink>
            </div>
            <div className="summary-card">
              <h3>Findings to triage</h3>
              <div className="big">{s.findings.unresolved}</div>
              <p className="chips">
                {severities
                  .filter((sev) => s.findings.unresolvedBySeverity[sev])
                  .map((sev) => (
                    <Badge key={sev} tone={severityTone[sev]}>
                      {s.findings.unresolvedBySeverity[sev]} {sev}
                    </Badge>
                  ))}
              </p>
              <p className="muted">
                {s.findings.total} in all; {s.findings.byStatus.under_review ?? 0} under review
              </p>
              <TenantLink to="/triage">Triage</TenantLink>
            </div>
            <div className="summary-card">
              <h3>Unknowns</h3>
              <div className="big">{s.unknowns.total}</div>
              <p className="muted">
                {Object.entries(s.unknowns.byReason)
                  .map(([reason, n]) => `${n} ${reason.replace(/_/g, ' ')}`)
                  .join(', ') || 'every component identified'}
              </p>
              <TenantLink to="/unknowns">Unknown components</TenantLink>
            </div>
          </div>
        )}
      </QueryView>
    </Section>
  );
}
