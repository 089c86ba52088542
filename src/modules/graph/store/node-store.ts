/** Reading nodes: by id and by name/purl prefix (client of a withTenant tx; RLS scopes it). */
import type { TenantTx } from '../../../db/database.ts';
import type { CursorKey } from '../../pagination.ts';

export interface GraphNode {
  id: string;
  purl: string;
  type: string;
  name: string;
  group: string;
  version: string;
  description: string;
  sbomCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface GraphNodeDetail extends GraphNode {
  dependencies: number;
  dependents: number;
}

export const NODE_COLUMNS = 'n.id, n.purl, n.type, n.name, n.grp, n.version, n.description, n.sbom_count, n.first_seen_at, n.last_seen_at';

export function toNode(r: any): GraphNode {
  return {
    id: r.id,
    purl: r.purl,
    type: r.type,
    name: r.name,
    group: r.grp,
    version: r.version,
    description: r.description,
    sbomCount: r.sbom_count,
    firstSeenAt: r.first_seen_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
  };
}

export async function getNode(db: TenantTx, id: string): Promise<GraphNodeDetail | null> {
  const { rows } = await db.query(
    `select ${NODE_COLUMNS},
            (select count(*)::int from graph.edges e where e.tenant_id = n.tenant_id and e.from_id = n.id) as dependencies,
            (select count(*)::int from graph.edges e where e.tenant_id = n.tenant_id and e.to_id = n.id) as dependents
       from graph.nodes n where n.id = $1`,
    [id],
  );
  return rows[0] ? { ...toNode(rows[0]), dependencies: rows[0].dependencies, dependents: rows[0].dependents } : null;
}

function likePrefix(q: string): string {
  return `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Nodes whose name (case-insensitive) or purl starts with `q`, ordered by (lower(name), id);
 * `limit + 1` rows after the cursor key.
 */
export async function searchNodes(db: TenantTx, q: string, after: CursorKey | null, limit: number): Promise<GraphNode[]> {
  const { rows } = await db.query(
    `select ${NODE_COLUMNS}, lower(n.name) as sort_name from graph.nodes n
      where (lower(n.name) like $1 or n.purl like $2)
        and ($3::text is null or (lower(n.name), n.id) > ($3, $4))
      order by lower(n.name), n.id limit $5`,
    [likePrefix(q.toLowerCase()), likePrefix(q), after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  return rows.map(toNode);
}
