/**
 * Depth-bounded traversals in recursive SQL (client of a withTenant tx). The depth bound is
 * part of every recursion, and the caller also sets a local statement timeout, so no query can
 * walk a large graph without end.
 */
import type { TenantTx } from '../../../db/database.ts';
import { NODE_COLUMNS, toNode, type GraphNode } from './node-store.ts';

export type Direction = 'dependencies' | 'dependents' | 'both';

const STEP: Record<Direction, string> = {
  dependencies: 'select e.to_id, w.depth + 1 from walk w join graph.edges e on e.from_id = w.id where w.depth < $2',
  dependents: 'select e.from_id, w.depth + 1 from walk w join graph.edges e on e.to_id = w.id where w.depth < $2',
  both: `select case when e.from_id = w.id then e.to_id else e.from_id end, w.depth + 1
           from walk w join graph.edges e on (e.from_id = w.id or e.to_id = w.id) where w.depth < $2`,
};

export interface Neighbourhood {
  nodes: (GraphNode & { depth: number })[];
  edges: { from: string; to: string }[];
  truncated: boolean;
}

export async function neighbours(db: TenantTx, start: string, direction: Direction, depth: number, limit: number): Promise<Neighbourhood> {
  const { rows } = await db.query(
    `with recursive walk(id, depth) as (select $1::text, 0 union ${STEP[direction]}),
          nearest as (select id, min(depth) as depth from walk group by id)
     select ${NODE_COLUMNS}, w.depth from nearest w join graph.nodes n on n.id = w.id
      order by w.depth, n.id limit $3`,
    [start, depth, limit + 1],
  );
  const truncated = rows.length > limit;
  const nodes = rows.slice(0, limit).map((r: any) => ({ ...toNode(r), depth: r.depth }));
  const ids = nodes.map((n) => n.id);
  const edges = await db.query<{ from_id: string; to_id: string }>(
    'select from_id, to_id from graph.edges where from_id = any($1) and to_id = any($1) order by from_id, to_id',
    [ids],
  );
  return { nodes, edges: edges.rows.map((e) => ({ from: e.from_id, to: e.to_id })), truncated };
}

/**
 * Dependency paths from `from` to `to` with at most `depth` edges, shortest first (the
 * recursion runs breadth-first), without revisiting a node, at most `limit` paths.
 */
export async function dependencyPaths(db: TenantTx, from: string, to: string, depth: number, limit: number): Promise<string[][]> {
  const { rows } = await db.query<{ path: string[] }>(
    `with recursive p(node, path) as (
       select $1::text, array[$1::text]
       union all
       select e.to_id, p.path || e.to_id from p join graph.edges e on e.from_id = p.node
        where cardinality(p.path) <= $3 and p.node <> $2 and e.to_id <> all(p.path)
     )
     select path from p where node = $2 and cardinality(path) > 1 limit $4`,
    [from, to, depth, limit],
  );
  return rows.map((r) => r.path);
}
