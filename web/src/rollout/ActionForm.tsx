/**
 * An operator action: a button that opens a small form (every action demands a reason),
 * sends it, and reports the controller's answer — a refusal shows its reasons.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, describeError } from '../api/errors.ts';

export interface ActionField {
  name: string;
  label: string;
  type?: 'text' | 'select' | 'checkbox';
  options?: string[];
  required?: boolean;
}

export function ActionForm({
  label,
  fields,
  onSubmit,
  danger,
}: {
  label: string;
  fields: ActionField[];
  onSubmit: (values: Record<string, string | boolean>) => Promise<unknown>;
  danger?: boolean;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string | boolean>>(() => initial(fields));
  const [result, setResult] = useState<{ ok: boolean; message: ReactNode } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSubmit(values);
      setResult({ ok: true, message: `${label}: done.` });
      setOpen(false);
      setValues(initial(fields));
    } catch (err) {
      const checks = err instanceof ApiError && Array.isArray(err.body.checks) ? (err.body.checks as { id: string; pass: boolean; detail: string }[]) : [];
      const failing = checks.filter((c) => !c.pass);
      setResult({
        ok: false,
        message: (
          <>
            {describeError(err)}
            {failing.length > 0 && (
              <ul>
                {failing.map((c) => (
                  <li key={c.id}>
                    <code>{c.id}</code>: {c.detail}
                  </li>
                ))}
              </ul>
            )}
          </>
        ),
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="action">
      {!open && (
        <button type="button" className={danger ? 'danger' : undefined} onClick={() => setOpen(true)}>
          {label}…
        </button>
      )}
      {open && (
        <form className="form action-form" onSubmit={(e) => void submit(e)} aria-label={label}>
          {fields.map((f) => (
            <div className="form-row" key={f.name}>
              <label htmlFor={`${id}-${f.name}`}>{f.label}</label>
              {f.type === 'select' ? (
                <select id={`${id}-${f.name}`} value={String(values[f.name])} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}>
                  {(f.options ?? []).map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : f.type === 'checkbox' ? (
                <input id={`${id}-${f.name}`} type="checkbox" checked={values[f.name] === true} onChange={(e) => setValues({ ...values, [f.name]: e.target.checked })} />
              ) : (
                <input id={`${id}-${f.name}`} required={f.required ?? true} value={String(values[f.name])} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />
              )}
            </div>
          ))}
          <div className="form-actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Sending…' : label}
            </button>
            <button type="button" className="link-button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {result && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'hint' : 'error-text'}>
          {result.message}
        </p>
      )}
    </div>
  );
}

function initial(fields: ActionField[]): Record<string, string | boolean> {
  return Object.fromEntries(fields.map((f) => [f.name, f.type === 'checkbox' ? false : f.type === 'select' ? (f.options?.[0] ?? '') : '']));
}
