/** Topology: the tenant's environments (ids are tenant-local: two tenants may both have `prod`). */
import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../api/errors.ts';
import type { Page } from '../api/page.ts';
import { platformPaths, type Environment } from '../api/platform.ts';
import { useTenantMutation, useTenantQuery } from '../api/tenant-query.ts';
import { useConsole } from '../app/console-context.ts';
import { TenantLink } from '../tenant/TenantLink.tsx';
import { DataTable } from '../ui/DataTable.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { QueryView } from '../ui/states.tsx';

export function TopologyPage() {
  const environments = useTenantQuery<Page<Environment>>(['platform', 'environments'], platformPaths.environments);
  const { scopes } = useConsole();
  return (
    <>
      <PageHeader title="Topology" />
      <Section title="Environments">
        <QueryView query={environments} isEmpty={(p) => p.items.length === 0} empty="This tenant has no environments yet.">
          {(page) => (
            <DataTable
              caption="Environments"
              rows={page.items}
              rowKey={(e) => e.id}
              columns={[
                { header: 'Id', cell: (e) => <TenantLink to={`/topology/${encodeURIComponent(e.id)}`}>{e.id}</TenantLink> },
                { header: 'Name', cell: (e) => e.name },
                { header: 'Description', cell: (e) => e.description || '—' },
                { header: 'Region', cell: (e) => e.region ?? '—' },
                { header: 'Stage', cell: (e) => e.stage ?? '—' },
                { header: 'Targets', cell: (e) => e.targetCount },
              ]}
            />
          )}
        </QueryView>
      </Section>
      {scopes.includes('platform:write') && <CreateEnvironment />}
    </>
  );
}

function CreateEnvironment() {
  const id = useId();
  const [draft, setDraft] = useState({ id: '', name: '', description: '' });
  const create = useTenantMutation<typeof draft, Environment>((body) => ({ method: 'POST', path: platformPaths.environments, body }), [['platform', 'environments']]);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(draft, { onSuccess: () => setDraft({ id: '', name: '', description: '' }) });
  };
  return (
    <Section title="Add an environment">
      <form className="form" onSubmit={onSubmit}>
        <div className="form-row">
          <label htmlFor={`${id}-id`}>Id</label>
          <input id={`${id}-id`} required pattern="[a-z0-9][a-z0-9._\-]{0,63}" value={draft.id} onChange={(e) => setDraft({ ...draft, id: e.target.value })} />
        </div>
        <div className="form-row">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </div>
        <div className="form-row">
          <label htmlFor={`${id}-description`}>Description</label>
          <input id={`${id}-description`} value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
        </div>
        <div className="form-actions">
          <button type="submit" disabled={create.isPending}>
            Add environment
          </button>
          {create.isError && <span role="alert" className="error-text">{describeError(create.error)}</span>}
        </div>
      </form>
    </Section>
  );
}
