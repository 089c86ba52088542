/**
 * Audit: the Authority's audit log, filtered (by default to the selected tenant), paged by
 * cursor. A tenant admin reads its selected tenant's events; a fleet auditor reads any tenant's.
 */
import { useId, useState, type FormEvent } from 'react';
import { auditPath, type AuditEvent, type AuditFilter } from '../api/audit.ts';
import type { Page } from '../api/page.ts';
import { useTenantQuery } from '../api/tenant-query.ts';
import { scopes } from '../../../src/contract/scopes.ts';
import { useConsole } from '../app/console-context.ts';
import { AuditDetails } from '../ui/AuditDetails.tsx';
import { Badge, DataTable, formatTime } from '../ui/DataTable.tsx';
import { Person } from '../ui/Person.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { QueryView } from '../ui/states.tsx';

export function AuditPage() {
  const { scopes: granted } = useConsole();
  if (!granted.includes(scopes.auditRead) && !granted.includes(scopes.auditFleet)) {
    return (
      <>
        <PageHeader title="Audit" />
        <p>Your role in this tenant does not include the audit log: tenant admins read their tenant&apos;s events, fleet auditors every tenant&apos;s.</p>
      </>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const id = useId();
  const { tenant } = useConsole();
  const blank: AuditFilter = { type: '', client: '', tenant: tenant ?? '', from: '', to: '' };
  const [draft, setDraft] = useState<AuditFilter>(blank);
  const [filter, setFilter] = useState<AuditFilter>(blank);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const events = useTenantQuery<Page<AuditEvent>>(['audit', filter, cursor], auditPath(filter, cursor));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
    setCursors([null]);
  };
  const field = (name: keyof AuditFilter, label: string, type = 'text') => (
    <div className="form-row">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} type={type} value={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} />
    </div>
  );
  return (
    <>
      <PageHeader title="Audit" />
      <form className="form filter-form" onSubmit={onSubmit} aria-label="Audit filters">
        {field('type', 'Event type (prefix*)')}
        {field('client', 'Client')}
        {field('tenant', 'Tenant')}
        {field('from', 'From', 'date')}
        {field('to', 'To', 'date')}
        <div className="form-actions">
          <button type="submit">Apply filters</button>
        </div>
      </form>
      <Section title="Events">
        <QueryView query={events} isEmpty={(p) => p.items.length === 0} empty="No audit events match these filters.">
          {(page) => (
            <>
              <DataTable
                caption="Audit events"
                rows={page.items}
                rowKey={(e) => e.id}
                columns={[
                  { header: 'Time', cell: (e) => formatTime(e.time) },
                  { header: 'Type', cell: (e) => <code>{e.type}</code> },
                  { header: 'Outcome', cell: (e) => <Badge tone={e.outcome === 'success' ? 'ok' : e.outcome === 'info' ? 'neutral' : 'danger'}>{e.outcome}</Badge> },
                  { header: 'Actor', cell: (e) => <Person name={e.actorName} id={e.actor} showId /> },
                  { header: 'Client', cell: (e) => <Person name={e.clientName} id={e.client} /> },
                  { header: 'Tenant', cell: (e) => e.tenant ?? '—' },
                  { header: 'Details', cell: (e) => <AuditDetails properties={e.properties} /> },
                ]}
              />
              <div className="pager">
                <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                  Newer
                </button>
                <button type="button" disabled={!page.nextCursor} onClick={() => page.nextCursor && setCursors([...cursors, page.nextCursor])}>
                  Older
                </button>
              </div>
            </>
          )}
        </QueryView>
      </Section>
    </>
  );
}
