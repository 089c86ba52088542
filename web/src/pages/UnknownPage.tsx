/** One unknown component: detail, evidence and history; an id this tenant lacks is "not in this tenant". */
import { useParams } from 'react-router-dom';
import type { Page } from '../api/page.ts';
import { scannerPaths, type Unknown, type UnknownEvidence, type UnknownHistoryEvent } from '../api/scanner.ts';
import { useTenantQuery } from '../api/tenant-query.ts';
import { useConsole } from '../app/console-context.ts';
import { TenantLink } from '../tenant/TenantLink.tsx';
import { DataTable, Fields, formatTime } from '../ui/DataTable.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { isNotFound, NotInTenant, QueryView } from '../ui/states.tsx';

export function UnknownPage() {
  const unknownId = useParams().unknownId ?? '';
  const { tenant, tenantName } = useConsole();
  const unknown = useTenantQuery<Unknown>(['scanner', 'unknown', unknownId], scannerPaths.unknown(unknownId));
  const evidence = useTenantQuery<UnknownEvidence>(['scanner', 'unknown-evidence', unknownId], scannerPaths.unknownEvidence(unknownId), { enabled: unknown.isSuccess });
  const history = useTenantQuery<Page<UnknownHistoryEvent>>(['scanner', 'unknown-history', unknownId], scannerPaths.unknownHistory(unknownId), { enabled: unknown.isSuccess });
  if (isNotFound(unknown.error)) {
    return <NotInTenant what={`Unknown “${unknownId}”`} tenantName={tenantName(tenant)} backTo="/unknowns" backLabel="Back to unknowns" />;
  }
  return (
    <>
      <PageHeader title={`Unknown ${unknownId}`}>
        <TenantLink to="/unknowns">All unknowns</TenantLink>
      </PageHeader>
      <QueryView query={unknown}>
        {(u) => (
          <>
            <Fields
              entries={[
                ['Component', u.componentName],
                ['Version', u.componentVersion ?? '—'],
                ['Package URL', u.purl ? <code key="p" className="wrap">{u.purl}</code> : '—'],
                ['Reason', u.reason],
                ['Detail', u.detail],
                ['Observations', u.observationCount],
                ['First seen', formatTime(u.firstSeen)],
                ['Last seen', formatTime(u.lastSeen)],
              ]}
            />
            <Section title="Evidence">
              <QueryView query={evidence} isEmpty={(e) => e.observations.length === 0} empty="No evidence recorded.">
                {(e) => (
                  <DataTable
                    caption="Evidence per observation"
                    rows={e.observations}
                    rowKey={(o) => `${o.scanId}-${o.observedAt}`}
                    columns={[
                      { header: 'Scan', cell: (o) => <TenantLink to={`/scans/${encodeURIComponent(o.scanId)}`}>{o.scanId}</TenantLink> },
                      { header: 'Component as seen', cell: (o) => <code className="wrap">{[o.component.group, o.component.name, o.component.version].filter(Boolean).join(' ')}</code> },
                      { header: 'Type', cell: (o) => o.component.type ?? '—' },
                      { header: 'Observed', cell: (o) => formatTime(o.observedAt) },
                    ]}
                  />
                )}
              </QueryView>
            </Section>
            <Section title="History">
              <QueryView query={history} isEmpty={(p) => p.items.length === 0} empty="No history recorded.">
                {(page) => (
                  <DataTable
                    caption="History"
                    rows={page.items}
                    rowKey={(h) => String(h.seq)}
                    columns={[
                      { header: 'When', cell: (h) => formatTime(h.at) },
                      { header: 'Event', cell: (h) => (h.event === 'first_seen' ? 'first seen' : 'seen again') },
                      { header: 'Scan', cell: (h) => <TenantLink to={`/scans/${encodeURIComponent(h.scanId)}`}>{h.scanId}</TenantLink> },
                      { header: 'Image', cell: (h) => <code className="wrap">{h.imageDigest}</code> },
                    ]}
                  />
                )}
              </QueryView>
            </Section>
          </>
        )}
      </QueryView>
    </>
  );
}
