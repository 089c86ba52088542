/** One environment and its targets; an id this tenant does not hold is "not in this tenant". */
import { useParams } from 'react-router-dom';
import type { Page } from '../api/page.ts';
import { platformPaths, type Environment, type Target } from '../api/platform.ts';
import { useTenantQuery } from '../api/tenant-query.ts';
import { useConsole } from '../app/console-context.ts';
import { TenantLink } from '../tenant/TenantLink.tsx';
import { DataTable, Fields, formatTime } from '../ui/DataTable.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { isNotFound, NotInTenant, QueryView } from '../ui/states.tsx';

export function EnvironmentPage() {
  const environmentId = useParams().environmentId ?? '';
  const { tenant, tenantName } = useConsole();
  const environment = useTenantQuery<Environment>(['platform', 'environment', environmentId], platformPaths.environment(environmentId));
  const targets = useTenantQuery<Page<Target>>(['platform', 'targets', environmentId], platformPaths.targets(environmentId), { enabled: environment.isSuccess });
  if (isNotFound(environment.error)) {
    return <NotInTenant what={`Environment “${environmentId}”`} tenantName={tenantName(tenant)} backTo="/topology" backLabel="Back to topology" />;
  }
  return (
    <>
      <PageHeader title={environment.data ? environment.data.name : `Environment ${environmentId}`}>
        <TenantLink to="/topology">All environments</TenantLink>
      </PageHeader>
      <QueryView query={environment}>
        {(env) => (
          <>
            <Fields
              entries={[
                ['Id', <code key="id">{env.id}</code>],
                ['Description', env.description || '—'],
                ['Region', env.region ?? '—'],
                ['Stage', env.stage ?? '—'],
                ['Created by', env.createdBy],
                ['Updated', formatTime(env.updatedAt)],
              ]}
            />
            <Section title="Targets">
              <QueryView query={targets} isEmpty={(p) => p.items.length === 0} empty="No targets in this environment.">
                {(page) => (
                  <DataTable
                    caption="Targets"
                    rows={page.items}
                    rowKey={(t) => t.id}
                    columns={[
                      { header: 'Id', cell: (t) => <code>{t.id}</code> },
                      { header: 'Name', cell: (t) => t.name },
                      { header: 'Kind', cell: (t) => t.kind },
                      { header: 'Address', cell: (t) => t.address || '—' },
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
