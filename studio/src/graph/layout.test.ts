import { describe, expect, it } from 'vitest';
import { autoLayout } from './layout';
import { specToGraph } from './spec-graph';

const diamond = (placed: string[] = []) =>
  specToGraph({
    apiVersion: 'kiln/v1',
    name: 'l',
    nodes: ['a', 'b', 'c', 'd'].map((id) => ({
      id,
      type: 'core.noop',
      ...(placed.includes(id) ? { position: { x: 1000, y: 500 } } : {}),
    })),
    edges: [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
    ],
  });

// elkjs is a large bundle, loaded on the first layout: generous time on a busy machine.
describe('auto layout (elkjs)', { timeout: 60_000 }, () => {
  it('places each node right of the nodes it depends on, without overlaps, sized by the measured boxes', async () => {
    const { nodes, edges } = diamond();
    const measured = nodes.map((n) => ({ ...n, measured: { width: n.id === 'a' ? 400 : 200, height: 90 } }));
    const laid = new Map((await autoLayout(measured, edges)).map((n) => [n.id, n.position]));
    expect(laid.get('b')!.x).toBeGreaterThanOrEqual(laid.get('a')!.x + 400);
    expect(laid.get('d')!.x).toBeGreaterThanOrEqual(laid.get('c')!.x + 200);
    expect(laid.get('b')!.x).toBe(laid.get('c')!.x);
    expect(Math.abs(laid.get('b')!.y - laid.get('c')!.y)).toBeGreaterThanOrEqual(90);
  });

  it('keeps placed nodes where they are and lays the others out to their right', async () => {
    const { nodes, edges } = diamond(['a']);
    const laid = new Map(
      (await autoLayout(nodes, edges, { onlyUnplaced: true })).map((n) => [n.id, n.position]),
    );
    expect(laid.get('a')).toEqual({ x: 1000, y: 500 });
    for (const id of ['b', 'c', 'd']) expect(laid.get(id)!.x).toBeGreaterThan(1000);
    expect(laid.get('d')!.x).toBeGreaterThan(laid.get('b')!.x);
  });
});
