/** Graph: search components, draw a node's neighbours, export the tenant's graph as NDJSON. */
import type { UseQueryResult } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { graphPaths, neighboursQuery, type GraphNode, type NeighboursResult } from '../api/graph.ts';
import type { Page } from '../api/page.ts';
import { useTenantQuery } from '../api/tenant-query.ts';
import { useConsole } from '../app/console-context.ts';
import { NeighbourGraph } from '../graph/NeighbourGraph.tsx';
import { DataTable } from '../ui/DataTable.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { Empty, isNotFound, NotInTenant, QueryView } from '../ui/states.tsx';

export function GraphPage() {
  const id = useId();
  // The search and the selected node live in the address, so a shared link (and a tenant switch) keeps them.
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  const selected = params.get('node');
  const [draft, setDraft] = useState(query);
  const search = useTenantQuery<Page<GraphNode>>(['graph', 'search', query], query ? graphPaths.search(query) : null);
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  };
  const setSelected = (node: string) => update({ node });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    update({ q: draft.trim(), node: null });
  };
  return (
    <>
      <PageHeader title="Graph">
        <ExportButton />
      </PageHeader>
      <form className="form inline-form" role="search" onSubmit={onSubmit}>
        <label htmlFor={`${id}-q`}>Search components</label>
        <input id={`${id}-q`} type="search" value={draft} placeholder="part of a name or package URL" onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      <Section title={query ? `Components matching “${query}”` : 'Components'}>
        {query ? <SearchResults query={search} selected={selected} onSelect={setSelected} /> : <Empty>Search by any part of a component name or package URL.</Empty>}
      </Section>
      {selected && <Neighbours nodeId={selected} onSelect={setSelected} />}
    </>
  );
}

function SearchResults({ query, selected, onSelect }: { query: UseQueryResult<Page<GraphNode>>; selected: string | null; onSelect: (id: string) => void }) {
  return (
    <QueryView query={query} isEmpty={(p) => p.items.length === 0} empty="No components match.">
      {(page) => (
        <DataTable
          caption="Components"
          rows={page.items}
          rowKey={(n) => n.id}
          columns={[
            {
              header: 'Component',
              cell: (n) => (
                <button type="button" className="link-button" aria-pressed={selected === n.id} onClick={() => onSelect(n.id)}>
                  {n.name} {n.version}
                </button>
              ),
            },
            { header: 'Description', cell: (n) => n.description || '—' },
            { header: 'Package URL', cell: (n) => <code className="wrap">{n.purl}</code> },
          ]}
        />
      )}
    </QueryView>
  );
}

function Neighbours({ nodeId, onSelect }: { nodeId: string; onSelect: (id: string) => void }) {
  const { tenant, tenantName } = useConsole();
  const result = useTenantQuery<NeighboursResult>(['graph', 'neighbours', nodeId], graphPaths.query, { method: 'POST', body: neighboursQuery(nodeId) });
  if (isNotFound(result.error)) return <NotInTenant what={`Component ${nodeId}`} tenantName={tenantName(tenant)} backTo="/graph" backLabel="Back to graph search" />;
  return (
    <Section title="Neighbours">
      <QueryView query={result} isEmpty={(r) => (r.nodes ?? []).length === 0} empty="This component has no recorded dependencies.">
        {(r) => <NeighbourGraph centre={nodeId} result={r} onSelect={onSelect} />}
      </QueryView>
    </Section>
  );
}

/** The export is a bearer-protected stream: fetched through the client, then offered as a file. */
function ExportButton() {
  const { client, tenant } = useConsole();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const onExport = async () => {
    setState({ busy: true, error: null });
    try {
      const response = await client.request<Response>(graphPaths.export, { raw: true, headers: { accept: 'application/x-ndjson' } });
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `graph-${tenant}.ndjson`;
      link.click();
      URL.revokeObjectURL(url);
      setState({ busy: false, error: null });
    } catch (err) {
      setState({ busy: false, error: describeError(err) });
    }
  };
  return (
    <>
      <button type="button" onClick={() => void onExport()} disabled={state.busy}>
        {state.busy ? 'Exporting…' : 'Export NDJSON'}
      </button>
      {state.error && <span role="alert" className="error-text">{state.error}</span>}
    </>
  );
}
