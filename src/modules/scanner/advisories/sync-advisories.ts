/** Brings the advisory table in line with a dataset (idempotent; safe for several scanners at once). */
import type { Queryable } from '../../../db/database.ts';
import type { Advisory } from './advisory.ts';

export async function syncAdvisories(db: Queryable, advisories: readonly Advisory[]): Promise<number> {
  const { rowCount } = await db.query(
    `insert into scanner.advisories (id, aliases, ecosystem, namespace, name, severity, summary, ranges, published)
     select a.id, array(select jsonb_array_elements_text(a.aliases)), a.ecosystem, a.namespace, a.name, a.severity, a.summary, a.ranges, a.published::date
       from jsonb_to_recordset($1::jsonb) as a(id text, aliases jsonb, ecosystem text, namespace text, name text, severity text, summary text, ranges jsonb, published text)
     on conflict (id) do update set aliases = excluded.aliases, ecosystem = excluded.ecosystem, namespace = excluded.namespace, name = excluded.name,
       severity = excluded.severity, summary = excluded.summary, ranges = excluded.ranges, published = excluded.published
     where (scanner.advisories.aliases, scanner.advisories.ecosystem, scanner.advisories.namespace, scanner.advisories.name, scanner.advisories.severity,
            scanner.advisories.summary, scanner.advisories.ranges, scanner.advisories.published)
       is distinct from (excluded.aliases, excluded.ecosystem, excluded.namespace, excluded.name, excluded.severity, excluded.summary, excluded.ranges, excluded.published)`,
    [JSON.stringify(advisories)],
  );
  return rowCount ?? 0;
}
