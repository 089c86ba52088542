/** Triage: this tenant's findings, filterable by status, each status change recorded by the Scanner. */
import { useId, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import type { Page } from '../api/page.ts';
import { findingStatuses, scannerPaths, severityTone, statusLabel, type Finding, type FindingStatus, type FindingWithHistory } from '../api/scanner.ts';
import { useTenantMutation, useTenantQuery } from '../api/tenant-query.ts';
import { useConsole } from '../app/console-context.ts';
import { TenantLink } from '../tenant/TenantLink.tsx';
import { Badge, DataTable, Fields, formatTime } from '../ui/DataTable.tsx';
import { Person } from '../ui/Person.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { isNotFound, NotInTenant, QueryView } from '../ui/states.tsx';

export function TriagePage() {
  const id = useId();
  const [status, setStatus] = useState('');
  // The opened finding lives in the address, so a shared link (and a tenant switch) keeps it.
  const [params, setParams] = useSearchParams();
  const opened = params.get('finding');
  const open = (findingId: string | null) => {
    const next = new URLSearchParams(params);
    if (findingId) next.set('finding', findingId);
    else next.delete('finding');
    setParams(next);
  };
  const findings = useTenantQuery<Page<Finding>>(['scanner', 'triage', status], scannerPaths.triageFindings(status));
  const { scopes } = useConsole();
  const canWrite = scopes.includes('scanner:write');
  return (
    <>
      <PageHeader title="Triage">
        <label htmlFor={`${id}-status`}>Status</label>
        <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">All</option>
          {findingStatuses.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </PageHeader>
      {opened && <FindingDetail findingId={opened} onClose={() => open(null)} canWrite={canWrite} />}
      <Section title="Findings">
        <QueryView query={findings} isEmpty={(p) => p.items.length === 0} empty="No findings match.">
          {(page) => (
            <DataTable
              caption="Findings to triage"
              rows={page.items}
              rowKey={(f) => f.id}
              columns={[
                {
                  header: 'Finding',
                  cell: (f) => (
                    <button type="button" className="link-button" aria-pressed={opened === f.id} onClick={() => open(f.id)}>
                      {f.id}
                    </button>
                  ),
                },
                { header: 'Scan', cell: (f) => <TenantLink to={`/scans/${encodeURIComponent(f.scanId)}`}>{f.scanId}</TenantLink> },
                { header: 'Severity', cell: (f) => <Badge tone={severityTone(f.severity)}>{f.severity}</Badge> },
                { header: 'Package', cell: (f) => `${f.package.name} ${f.package.version}` },
                { header: 'Summary', cell: (f) => f.summary ?? '—' },
                { header: 'Status', cell: (f) => (canWrite ? <StatusChange finding={f} /> : statusLabel(f.status)) },
              ]}
            />
          )}
        </QueryView>
      </Section>
    </>
  );
}

function FindingDetail({ findingId, onClose, canWrite }: { findingId: string; onClose: () => void; canWrite: boolean }) {
  const { tenant, tenantName } = useConsole();
  const finding = useTenantQuery<FindingWithHistory>(['scanner', 'triage-finding', findingId], scannerPaths.triageFinding(findingId));
  if (isNotFound(finding.error)) {
    return <NotInTenant what={`Finding “${findingId}”`} tenantName={tenantName(tenant)} backTo="/triage" backLabel="Back to all findings" />;
  }
  return (
    <Section title={`Finding ${findingId}`}>
      <QueryView query={finding}>
        {(f) => (
          <>
            <Fields
              entries={[
                ['Advisory', [f.advisoryId, ...(f.aliases ?? [])].join(', ')],
                ['Severity', <Badge key="s" tone={severityTone(f.severity)}>{f.severity}</Badge>],
                ['Package', `${f.package.name} ${f.package.version}`],
                ['Fixed in', f.fixedVersion ?? '—'],
                ['Status', statusLabel(f.status)],
                ['Summary', f.summary ?? '—'],
              ]}
            />
            {canWrite && <StatusWithNote finding={f} />}
            <h3>History</h3>
            <DataTable
              caption="Status history"
              rows={f.history}
              rowKey={(h) => String(h.seq)}
              columns={[
                { header: 'When', cell: (h) => formatTime(h.changedAt) },
                { header: 'Change', cell: (h) => `${h.fromStatus ? statusLabel(h.fromStatus) : '—'} → ${statusLabel(h.toStatus)}` },
                {
                  header: 'By',
                  cell: (h) => (
                    <>
                      <Person name={h.actorName} id={h.actor} />
                      {h.client && (
                        <span className="muted">
                          {' '}
                          via <Person name={h.clientName} id={h.client} />
                        </span>
                      )}
                    </>
                  ),
                },
                { header: 'Note', cell: (h) => h.note ?? '—' },
              ]}
            />
          </>
        )}
      </QueryView>
      <button type="button" className="link-button" onClick={onClose}>
        Close
      </button>
    </Section>
  );
}

function StatusWithNote({ finding }: { finding: FindingWithHistory }) {
  const id = useId();
  const [status, setStatus] = useState<FindingStatus>(finding.status);
  const [note, setNote] = useState('');
  const change = useTenantMutation<{ status: FindingStatus; note?: string }, FindingWithHistory>(
    (body) => ({ method: 'PATCH', path: scannerPaths.triageFinding(finding.id), body }),
    [['scanner', 'triage'], ['scanner', 'triage-finding', finding.id]],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate({ status, note: note.trim() || undefined }, { onSuccess: () => setNote('') });
  };
  return (
    <form className="form" onSubmit={submit} aria-label={`Change the status of ${finding.id}`}>
      <div className="form-row">
        <label htmlFor={`${id}-status`}>New status</label>
        <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value as FindingStatus)}>
          {findingStatuses.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="form-row">
        <label htmlFor={`${id}-note`}>Note</label>
        <input id={`${id}-note`} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
      </div>
      <div className="form-actions">
        <button type="submit" disabled={change.isPending}>
          Record status
        </button>
        {change.isError && <span role="alert" className="error-text">{describeError(change.error)}</span>}
      </div>
    </form>
  );
}

function StatusChange({ finding }: { finding: Finding }) {
  const change = useTenantMutation<FindingStatus, Finding>(
    (status) => ({ method: 'PATCH', path: scannerPaths.triageFinding(finding.id), body: { status } }),
    [['scanner', 'triage'], ['scanner', 'triage-finding', finding.id]],
  );
  return (
    <span className="status-change">
      <select
        aria-label={`Status of ${finding.id}`}
        value={finding.status}
        disabled={change.isPending}
        onChange={(e) => change.mutate(e.target.value as FindingStatus)}
      >
        {findingStatuses.map((s) => (
          <option key={s} value={s}>
            {statusLabel(s)}
          </option>
        ))}
      </select>
      {change.isError && <span role="alert" className="error-text">{describeError(change.error)}</span>}
    </span>
  );
}
