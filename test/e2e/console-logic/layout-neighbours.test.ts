import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutNeighbours } from '../../../web/src/graph/layout-neighbours.ts';

test('the centre sits in the middle and neighbours on the first ring, deterministically', () => {
  const input = { centre: 'a', nodes: ['a', 'b', 'c', 'd'], edges: [{ from: 'a', to: 'b' }, { from: 'c', to: 'a' }, { from: 'b', to: 'd' }] };
  const placed = layoutNeighbours(input, 400);
  const byId = new Map(placed.map((p) => [p.id, p]));
  assert.deepEqual({ x: byId.get('a')!.x, y: byId.get('a')!.y, ring: byId.get('a')!.ring }, { x: 200, y: 200, ring: 0 });
  assert.equal(byId.get('b')!.ring, 1);
  assert.equal(byId.get('c')!.ring, 1);
  assert.equal(byId.get('d')!.ring, 2);
  assert.deepEqual(layoutNeighbours(input, 400), placed);
  const distance = (id: string) => Math.hypot(byId.get(id)!.x - 200, byId.get(id)!.y - 200);
  assert.ok(distance('d') > distance('b'));
});

test('every node is placed once, also ones the edges do not reach', () => {
  const placed = layoutNeighbours({ centre: 'a', nodes: ['a', 'z'], edges: [] }, 400);
  assert.deepEqual(placed.map((p) => p.id).sort(), ['a', 'z']);
});
