/** One scan and its findings; a scan id this tenant does not hold is "not in this tenant". */
import { useParams } from 'react-router-dom';
import type { Page } from '../api/page.ts';
import { scannerPaths, severityTone, statusLabel, type Finding, type Scan } from '../api/scanner.ts';
import { useTenantQuery } from '../api/tenant-query.ts';
import { useConsole } from '../app/console-context.ts';
import { TenantLink } from '../tenant/TenantLink.tsx';
import { Badge, DataTable, Fields, formatTime } from '../ui/DataTable.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { isNotFound, NotInTenant, QueryView } from '../ui/states.tsx';

export function ScanPage() {
  const scanId = useParams().scanId ?? '';
  const { tenant, tenantName } = useConsole();
  const scan = useTenantQuery<Scan>(['scanner', 'scan', scanId], scannerPaths.scan(scanId));
  const findings = useTenantQuery<Page<Finding>>(['scanner', 'scan-findings', scanId], scannerPaths.scanFindings(scanId), { enabled: scan.isSuccess });
  if (isNotFound(scan.error)) {
    return <NotInTenant what={`Scan “${scanId}”`} tenantName={tenantName(tenant)} backTo="/scans" backLabel="Back to scans" />;
  }
  return (
    <>
      <PageHeader title={`Scan ${scanId}`}>
        <TenantLink to="/scans">All scans</TenantLink>
      </PageHeader>
      <QueryView query={scan}>
        {(s) => (
          <>
            <Fields
              entries={[
                ['Image', s.imageName ?? '—'],
                ['Digest', <code key="d" className="wrap">{s.imageDigest}</code>],
                ['Status', s.status],
                ['Source', s.source],
                ['Requested by', s.requestedBy],
                ['Components', s.componentCount ?? '—'],
                ['Created', formatTime(s.createdAt)],
                ['Completed', formatTime(s.completedAt)],
                ['SBOM attached', s.sbomAttached ? 'yes' : 'no'],
              ]}
            />
            {s.error && <p className="error-text">{s.error}</p>}
            <Section title="Findings">
              <QueryView query={findings} isEmpty={(p) => p.items.length === 0} empty="This scan has no findings.">
                {(page) => (
                  <DataTable
                    caption="Findings"
                    rows={page.items}
                    rowKey={(f) => f.id}
                    columns={[
                      { header: 'Finding', cell: (f) => <code>{f.id}</code> },
                      { header: 'Severity', cell: (f) => <Badge tone={severityTone(f.severity)}>{f.severity}</Badge> },
                      { header: 'Package', cell: (f) => `${f.package.name} ${f.package.version}` },
                      { header: 'Advisory', cell: (f) => f.advisoryId },
                      { header: 'Summary', cell: (f) => f.summary ?? '—' },
                      { header: 'Status', cell: (f) => statusLabel(f.status) },
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
