/** Scans of this tenant, newest first. */
import type { Page } from '../api/page.ts';
import { scannerPaths, type Scan } from '../api/scanner.ts';
import { useTenantQuery } from '../api/tenant-query.ts';
import { TenantLink } from '../tenant/TenantLink.tsx';
import { Badge, DataTable, formatTime } from '../ui/DataTable.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { QueryView } from '../ui/states.tsx';

export function ScansPage() {
  const scans = useTenantQuery<Page<Scan>>(['scanner', 'scans'], scannerPaths.scans);
  return (
    <>
      <PageHeader title="Scans" />
      <Section title="Recent scans">
        <QueryView query={scans} isEmpty={(p) => p.items.length === 0} empty="No scans in this tenant yet.">
          {(page) => (
            <DataTable
              caption="Scans"
              rows={page.items}
              rowKey={(s) => s.id}
              columns={[
                { header: 'Scan', cell: (s) => <TenantLink to={`/scans/${encodeURIComponent(s.id)}`}>{s.id}</TenantLink> },
                { header: 'Image', cell: (s) => s.imageName ?? <code>{s.imageDigest.slice(0, 19)}…</code> },
                { header: 'Status', cell: (s) => <Badge tone={s.status === 'failed' ? 'danger' : s.status === 'completed' ? 'ok' : 'neutral'}>{s.status}</Badge> },
                { header: 'Findings', cell: (s) => s.findingCount ?? '—' },
                { header: 'Unknowns', cell: (s) => s.unknownCount ?? '—' },
                { header: 'Created', cell: (s) => formatTime(s.createdAt) },
              ]}
            />
          )}
        </QueryView>
      </Section>
    </>
  );
}
