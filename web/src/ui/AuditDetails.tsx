/**
 * An audit event's properties as a reader wants them: a change as a before/after table with
 * the changed fields marked, everything else as labelled values. Never raw JSON.
 */
import type { ReactNode } from 'react';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `fleetRoles` → "fleet roles", `client_id` → "client id". */
export function humanize(key: string): string {
  return key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

export function formatValue(value: unknown): ReactNode {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    if (value.every((v) => typeof v !== 'object' || v === null)) return value.map(String).join(', ');
    return (
      <ul className="plain-list">
        {value.map((v, i) => (
          <li key={i}>{formatValue(v)}</li>
        ))}
      </ul>
    );
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return <span className="muted">none</span>;
    const list = (
      <dl className="kv">
        {entries.map(([k, v]) => (
          <div key={k}>
            <dt>{humanize(k)}</dt>
            <dd>{formatValue(v)}</dd>
          </div>
        ))}
      </dl>
    );
    // A whole record (a client's view, say) folds away behind its field count.
    if (entries.length > 4) {
      return (
        <details className="kv-fold">
          <summary>{entries.length} fields</summary>
          {list}
        </details>
      );
    }
    return list;
  }
  return String(value);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function AuditDetails({ properties }: { properties: Record<string, unknown> }) {
  const hasChange = 'before' in properties || 'after' in properties;
  const { before, after, ...rest } = properties;
  const others = Object.entries(hasChange ? rest : properties);
  return (
    <div className="audit-details">
      {hasChange && <ChangeTable before={before} after={after} />}
      {others.length > 0 && (
        <dl className="kv">
          {others.map(([k, v]) => (
            <div key={k}>
              <dt>{humanize(k)}</dt>
              <dd>{formatValue(v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {!hasChange && others.length === 0 && <span className="muted">no details</span>}
    </div>
  );
}

function ChangeTable({ before, after }: { before: unknown; after: unknown }) {
  const b = isObject(before) ? before : null;
  const a = isObject(after) ? after : null;
  if (!b && !a) return null;
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])];
  const label = !b ? 'Created' : !a ? 'Removed' : 'Changed';
  if (!b || !a) {
    // Nothing to compare: the record as it was created, or as it was when removed.
    const record = (a ?? b)!;
    return (
      <table className="change-table">
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">{a ? 'Value' : 'Last value'}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k}>
              <th scope="row">{humanize(k)}</th>
              <td>{formatValue(record[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <table className="change-table">
      <caption>{label}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const changed = !same(b[k], a[k]);
          return (
            <tr key={k} className={changed ? 'changed' : undefined} data-changed={changed ? 'true' : undefined}>
              <th scope="row">{humanize(k)}</th>
              <td>{formatValue(b[k])}</td>
              <td>{formatValue(a[k])}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
