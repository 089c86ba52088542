/** A gate's verdict and its table of reasons. */
import { Badge, DataTable } from '../ui/DataTable.tsx';

export interface Check {
  id: string;
  description: string;
  pass: boolean;
  detail: string;
}

export function GateVerdict({ pass, label }: { pass: boolean; label: string }) {
  return (
    <p className="gate">
      {label}: <Badge tone={pass ? 'ok' : 'danger'}>{pass ? 'pass' : 'fail'}</Badge>
    </p>
  );
}

export function GateChecks({ checks, caption }: { checks: Check[]; caption: string }) {
  return (
    <DataTable
      caption={caption}
      rows={checks}
      rowKey={(c) => c.id}
      columns={[
        { header: 'Check', cell: (c) => <code>{c.id}</code> },
        { header: 'Result', cell: (c) => <Badge tone={c.pass ? 'ok' : 'danger'}>{c.pass ? 'pass' : 'fail'}</Badge> },
        { header: 'Description', cell: (c) => c.description },
        { header: 'Detail', cell: (c) => c.detail },
      ]}
    />
  );
}
