/** Graph API shapes and paths (src/modules/graph/schemas.ts). */

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
  depth?: number;
}

export interface GraphEdge {
  from: string;
  to: string;
}

export interface NeighboursResult {
  kind: string;
  node: string;
  depth: number;
  nodes?: GraphNode[];
  edges?: GraphEdge[];
  truncated?: boolean;
}

export const graphPaths = {
  search: (q: string) => `/api/v1/graph/search?q=${encodeURIComponent(q)}`,
  node: (id: string) => `/api/v1/graph/nodes/${encodeURIComponent(id)}`,
  query: '/api/v1/graph/query',
  export: '/api/v1/graph/export',
};

export function neighboursQuery(node: string) {
  return { kind: 'neighbours', node, direction: 'both', depth: 1 } as const;
}
