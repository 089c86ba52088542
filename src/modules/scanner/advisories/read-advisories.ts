/** Reads the advisory table: the one the scan engine matches against. */
import type { Queryable } from '../../../db/database.ts';
import type { Ecosystem } from '../engine/ecosystems.ts';
import type { Advisory } from './advisory.ts';

export async function readAdvisories(db: Queryable): Promise<Advisory[]> {
  const { rows } = await db.query('select id, aliases, ecosystem, namespace, name, severity, summary, ranges, published::text as published from scanner.advisories order by id');
  return rows.map((r) => ({
    id: r.id,
    aliases: r.aliases,
    ecosystem: r.ecosystem as Ecosystem,
    namespace: r.namespace,
    name: r.name,
    severity: r.severity,
    summary: r.summary,
    published: r.published,
    ranges: r.ranges,
  }));
}
