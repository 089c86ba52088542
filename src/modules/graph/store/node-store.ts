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

function likeContains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Nodes whose name (case-insensitive) or purl starts with `q`, ordered by (lower(name), id);
 * `limit + 1` rows after the cursor key.
 */
/**
 * Nodes whose name or purl contains `q` (case-insensitive), by (lower(name), id). The match
 * runs on the trigram indexes of graph.node_search through graph.search_node_ids (migration
 * 0101 says why); the nodes are then read under graph.nodes' RLS.
 */
export async function searchNodes(db: TenantTx, q: string, after: CursorKey | null, limit: number): Promise<GraphNode[]> {
  const { rows } = await db.query(
    `select ${NODE_COLUMNS}, s.name_lower as sort_name
       from graph.search_node_ids($1, $2, $3, $4) s join graph.nodes n on n.id = s.node_id
      order by s.name_lower, s.node_id`,
    [likeContains(q.toLowerCase()), after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  return rows.map(toNode);
}
