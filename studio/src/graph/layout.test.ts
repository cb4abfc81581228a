import { describe, expect, it } from 'vitest';
import { autoLayout } from './layout';
import { specToGraph } from './spec-graph';

describe('auto layout (elkjs)', () => {
  it('places each node right of the nodes it depends on, without overlaps', async () => {
    const { nodes, edges } = specToGraph({
      apiVersion: 'kiln/v1',
      name: 'l',
      nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, type: 'core.noop', position: { x: 0, y: 0 } })),
      edges: [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
    });
    const laid = new Map((await autoLayout(nodes, edges, () => 80)).map((n) => [n.id, n.position]));
    expect(laid.get('b')!.x).toBeGreaterThan(laid.get('a')!.x);
    expect(laid.get('d')!.x).toBeGreaterThan(laid.get('c')!.x);
    expect(laid.get('b')!.x).toBe(laid.get('c')!.x);
    expect(Math.abs(laid.get('b')!.y - laid.get('c')!.y)).toBeGreaterThanOrEqual(80);
  });
});
