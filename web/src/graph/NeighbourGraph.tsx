/** Draws a node's neighbourhood as SVG; every node is a keyboard-reachable button. */
import type { NeighboursResult } from '../api/graph.ts';
import { layoutNeighbours } from './layout-neighbours.ts';

const SIZE = 480;

export function NeighbourGraph({ centre, result, onSelect }: { centre: string; result: NeighboursResult; onSelect: (id: string) => void }) {
  const nodes = result.nodes ?? [];
  const edges = result.edges ?? [];
  const placed = layoutNeighbours({ centre, nodes: nodes.map((n) => n.id), edges }, SIZE);
  const position = new Map(placed.map((p) => [p.id, p]));
  // An image's version is its digest: the first 12 hex digits tell it apart.
  const shortVersion = (v: string) => (/^sha256:[0-9a-f]{12,}$/.test(v) ? `sha256:${v.slice(7, 19)}` : v);
  const label = new Map(nodes.map((n) => [n.id, `${n.name}${n.version ? `@${shortVersion(n.version)}` : ''}`]));
  return (
    <figure className="graph-figure">
      <svg viewBox={`0 0 ${SIZE} ${SIZE}`} role="group" aria-label="Dependency neighbours" className="graph-svg">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="graph-arrow" />
          </marker>
        </defs>
        {edges.map((edge) => {
          const a = position.get(edge.from);
          const b = position.get(edge.to);
          if (!a || !b) return null;
          return <line key={`${edge.from}->${edge.to}`} x1={a.x} y1={a.y} x2={b.x} y2={b.y} className="graph-edge" markerEnd="url(#arrow)" />;
        })}
        {placed.map((p) => (
          <g
            key={p.id}
            transform={`translate(${p.x} ${p.y})`}
            role="button"
            tabIndex={0}
            aria-label={label.get(p.id) ?? p.id}
            className={p.id === centre ? 'graph-node centre' : 'graph-node'}
            onClick={() => onSelect(p.id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onSelect(p.id);
              }
            }}
          >
            <circle r={p.id === centre ? 14 : 10} />
            <text y={p.id === centre ? 30 : 24} textAnchor="middle">
              {label.get(p.id) ?? p.id}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        {nodes.length} components, {edges.length} dependencies{result.truncated ? ' (truncated)' : ''}. Select a component to centre it.
      </figcaption>
    </figure>
  );
}
