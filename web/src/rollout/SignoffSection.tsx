/**
 * Sign-offs of the current phase: for each sign-off criterion, who signed for which owner
 * role and which roles are still missing; an operator (rollout:write) records a sign-off here.
 */
import { useQueryClient } from '@tanstack/react-query';
import { scopes } from '../../../src/contract/scopes.ts';
import { rolloutPaths, type RolloutStatus } from '../api/rollout.ts';
import { useConsole } from '../app/console-context.ts';
import { Badge, DataTable } from '../ui/DataTable.tsx';
import { Section } from '../ui/PageHeader.tsx';
import { ActionForm } from './ActionForm.tsx';

type Progress = RolloutStatus['signoffs'][number];

function signedText(p: Progress): string {
  return p.signed.map((s) => (s.owner ? `${s.owner} (${s.signedBy})` : s.signedBy)).join(', ') || 'nobody yet';
}

export function SignoffSection({ status }: { status: RolloutStatus }) {
  const { client, scopes: granted, tenant } = useConsole();
  const queryClient = useQueryClient();
  const progress = status.signoffs ?? [];
  if (progress.length === 0) return null;
  const owned = progress.filter((p) => p.owners.length > 0);
  const sign = async (v: Record<string, string | boolean>) => {
    const [criterion, owner] = String(v.for).split(' — ');
    await client.request(rolloutPaths.signoffs, { method: 'POST', body: { criterion, signedBy: v.signedBy, ...(owner ? { owner } : {}), ...(v.note ? { note: v.note } : {}) } });
    await queryClient.invalidateQueries({ queryKey: ['tenant', tenant, 'rollout'] });
  };
  // One choice per criterion without owners, one per still-missing owner role otherwise.
  const choices = progress.flatMap((p) => (p.owners.length === 0 ? [p.criterion] : p.missing.map((o) => `${p.criterion} — ${o}`)));
  return (
    <Section title="Sign-offs">
      <DataTable
        caption={`Sign-offs of phase ${status.exitGate.phase}`}
        rows={progress}
        rowKey={(p) => p.criterion}
        columns={[
          { header: 'Criterion', cell: (p) => <code>{p.criterion}</code> },
          { header: 'Owners', cell: (p) => (p.owners.length ? p.owners.join(', ') : 'anyone') },
          { header: 'Signed', cell: (p) => signedText(p) },
          { header: 'Missing', cell: (p) => (p.complete ? <Badge tone="ok">complete</Badge> : <Badge tone="danger">{p.owners.length ? p.missing.join(', ') : 'a sign-off'}</Badge>) },
        ]}
      />
      {granted.includes(scopes.rolloutWrite) && choices.length > 0 && (
        <ActionForm
          key={choices.join('|')}
          label="Sign off"
          fields={[
            { name: 'for', label: owned.length ? 'Criterion — owner role' : 'Criterion', type: 'select', options: choices },
            { name: 'signedBy', label: 'Signed by (name)' },
            { name: 'note', label: 'Note', required: false },
          ]}
          onSubmit={sign}
        />
      )}
    </Section>
  );
}
