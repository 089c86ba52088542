/**
 * Places a node's neighbourhood for drawing: the centre node in the middle, nodes at graph
 * distance d on ring d, evenly spread. Pure, so the drawing is deterministic.
 */
export interface LayoutInput {
  centre: string;
  nodes: string[];
  edges: { from: string; to: string }[];
}

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  ring: number;
}

export function layoutNeighbours(input: LayoutInput, size = 480): PlacedNode[] {
  const adjacency = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    if (!adjacency.has(a)) adjacency.set(a, new Set());
    adjacency.get(a)!.add(b);
  };
  for (const edge of input.edges) {
    link(edge.from, edge.to);
    link(edge.to, edge.from);
  }
  const distance = new Map<string, number>([[input.centre, 0]]);
  const queue = [input.centre];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const next of [...(adjacency.get(current) ?? [])].sort()) {
      if (!distance.has(next)) {
        distance.set(next, distance.get(current)! + 1);
        queue.push(next);
      }
    }
  }
  const maxRing = Math.max(1, ...distance.values());
  const unreachable = maxRing + 1;
  const rings = new Map<number, string[]>();
  for (const id of [...new Set([input.centre, ...input.nodes])].sort()) {
    const ring = distance.get(id) ?? unreachable;
    if (!rings.has(ring)) rings.set(ring, []);
    rings.get(ring)!.push(id);
  }
  const ringCount = Math.max(...rings.keys());
  const half = size / 2;
  const step = (half - 40) / Math.max(1, ringCount);
  const placed: PlacedNode[] = [];
  for (const [ring, ids] of [...rings.entries()].sort((a, b) => a[0] - b[0])) {
    ids.forEach((id, index) => {
      if (ring === 0) {
        placed.push({ id, x: half, y: half, ring });
        return;
      }
      const angle = (2 * Math.PI * index) / ids.length - Math.PI / 2 + (ring % 2 ? 0 : Math.PI / ids.length);
      placed.push({ id, x: Math.round(half + ring * step * Math.cos(angle)), y: Math.round(half + ring * step * Math.sin(angle)), ring });
    });
  }
  return placed;
}
