/** Components the Scanner could not identify, in this tenant. */
import type { Page } from '../api/page.ts';
import { scannerPaths, type Unknown } from '../api/scanner.ts';
import { useTenantQuery } from '../api/tenant-query.ts';
import { TenantLink } from '../tenant/TenantLink.tsx';
import { DataTable, formatTime } from '../ui/DataTable.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { QueryView } from '../ui/states.tsx';

export function UnknownsPage() {
  const unknowns = useTenantQuery<Page<Unknown>>(['scanner', 'unknowns'], scannerPaths.unknowns);
  return (
    <>
      <PageHeader title="Unknowns" />
      <Section title="Unidentified components">
        <QueryView query={unknowns} isEmpty={(p) => p.items.length === 0} empty="The scanner identified every component in this tenant.">
          {(page) => (
            <DataTable
              caption="Unknown components"
              rows={page.items}
              rowKey={(u) => u.id}
              columns={[
                { header: 'Id', cell: (u) => <TenantLink to={`/unknowns/${encodeURIComponent(u.id)}`}>{u.id}</TenantLink> },
                { header: 'Component', cell: (u) => `${u.componentName}${u.componentVersion ? ` ${u.componentVersion}` : ''}` },
                { header: 'Reason', cell: (u) => u.reason },
                { header: 'First scan', cell: (u) => u.firstScanId },
                { header: 'Last seen', cell: (u) => formatTime(u.lastSeen) },
              ]}
            />
          )}
        </QueryView>
      </Section>
    </>
  );
}
