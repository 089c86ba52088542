/**
 * The flag store: typed values with full history (who, when, why, previous value) in
 * PostgreSQL; every change bumps a global version and notifies listeners.
 */
import type { Database, Queryable, Tx } from '../db/database.ts';
import { writeAudit } from '../telemetry/audit.ts';
import { builtInFlags, FlagValueError, type FlagCatalogue, type FlagValues } from './definitions.ts';

export const FLAG_CHANNEL = 'tenantgate_flags';

export interface FlagSnapshot {
  version: number;
  /** The built-in flags (typed) and the declared services' flags of the catalogue read with. */
  values: FlagValues & Record<string, unknown>;
}

export interface FlagChange {
  name: string;
  value: unknown;
  previous: unknown;
  version: number;
  changed: boolean;
}

export interface FlagHistoryEntry {
  name: string;
  previous: unknown;
  value: unknown;
  version: number;
  changedAt: string;
  changedBy: string;
  reason: string;
}

export async function readFlagSnapshot(db: Queryable, catalogue: FlagCatalogue = builtInFlags): Promise<FlagSnapshot> {
  const { rows } = await db.query<{ name: string; value: unknown; version: string }>('select name, value, version from flags.flags');
  const values = catalogue.defaults();
  let version = 0;
  for (const row of rows) {
    // The version counts every flag, also one of a service this configuration does not declare.
    version = Math.max(version, Number(row.version));
    const def = catalogue.definition(row.name);
    if (!def) continue;
    const parsed = def.schema.safeParse(row.value);
    if (parsed.success) values[row.name] = parsed.data;
  }
  return { version, values };
}

export async function currentFlagVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ v: string | null }>('select max(version) as v from flags.flags');
  return Number(rows[0]?.v ?? 0);
}

/**
 * Sets several flags in one transaction (one version bump each, one notification).
 * Unchanged values are recorded as no-ops, not as history.
 */
export async function setFlags(db: Database, changes: { name: string; value: unknown }[], by: { actor: string; reason: string }, catalogue: FlagCatalogue = builtInFlags): Promise<FlagChange[]> {
  validateChanges(changes, by, catalogue);
  return db.withTransaction((tx) => setFlagsIn(tx, changes, by, catalogue));
}

function validateChanges(changes: { name: string; value: unknown }[], by: { actor: string; reason: string }, catalogue: FlagCatalogue): void {
  if (!by.reason || by.reason.trim() === '') throw new FlagValueError('a reason is required to change a flag');
  for (const c of changes) {
    const parsed = catalogue.require(c.name).schema.safeParse(c.value);
    if (!parsed.success) throw new FlagValueError(`flag ${c.name}: value ${JSON.stringify(c.value)} is not allowed`);
  }
}

/** `setFlags` inside a transaction the caller holds (its other writes commit with the change). */
export async function setFlagsIn(tx: Tx, changes: { name: string; value: unknown }[], by: { actor: string; reason: string }, catalogue: FlagCatalogue = builtInFlags): Promise<FlagChange[]> {
  validateChanges(changes, by, catalogue);
  const results: FlagChange[] = [];
  for (const c of changes) {
    await tx.query('select pg_advisory_xact_lock(7314003)');
    const current = await tx.query<{ value: unknown }>('select value from flags.flags where name = $1 for update', [c.name]);
    const previous = current.rowCount ? current.rows[0].value : catalogue.require(c.name).default;
    if (JSON.stringify(previous) === JSON.stringify(c.value)) {
      results.push({ name: c.name, value: c.value, previous, version: 0, changed: false });
      continue;
    }
    const { rows } = await tx.query<{ v: string }>("select nextval('flags.version_seq') as v");
    const version = Number(rows[0].v);
    await tx.query(
      `insert into flags.flags (name, value, version, updated_at, updated_by, reason) values ($1, $2, $3, now(), $4, $5)
       on conflict (name) do update set value = excluded.value, version = excluded.version, updated_at = now(), updated_by = excluded.updated_by, reason = excluded.reason`,
      [c.name, JSON.stringify(c.value), version, by.actor, by.reason],
    );
    await tx.query('insert into flags.history (name, previous, value, version, changed_by, reason) values ($1, $2, $3, $4, $5, $6)', [
      c.name,
      JSON.stringify(previous),
      JSON.stringify(c.value),
      version,
      by.actor,
      by.reason,
    ]);
    await writeAudit(tx, { type: 'flags.changed', outcome: 'success', actor: by.actor, properties: { name: c.name, previous, value: c.value, version, reason: by.reason } });
    results.push({ name: c.name, value: c.value, previous, version, changed: true });
  }
  const top = Math.max(0, ...results.map((r) => r.version));
  if (top > 0) await tx.query('select pg_notify($1, $2)', [FLAG_CHANNEL, String(top)]);
  return results;
}

export async function flagHistory(db: Queryable, name?: string, limit = 100): Promise<FlagHistoryEntry[]> {
  const { rows } = await db.query(
    `select name, previous, value, version::float8 as version, changed_at, changed_by, reason from flags.history
      where ($1::text is null or name = $1) order by id desc limit $2`,
    [name ?? null, limit],
  );
  return rows.map((r: any) => ({
    name: r.name,
    previous: r.previous,
    value: r.value,
    version: Number(r.version),
    changedAt: new Date(r.changed_at).toISOString(),
    changedBy: r.changed_by,
    reason: r.reason,
  }));
}
