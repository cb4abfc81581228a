import type { ELK as Elk } from 'elkjs/lib/elk.bundled.js';
import type { KilnEdge, KilnNode } from './spec-graph';

// elkjs is over a megabyte: loaded on the first layout, not with the studio.
let elk: Promise<Elk> | undefined;
const loadElk = () => (elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK()));

export const NODE_WIDTH = 220;
export const nodeHeight = (ports: number): number => 64 + Math.max(1, ports) * 20;

/** Left-to-right layered layout (elkjs); returns the nodes with new positions. */
export async function autoLayout(
  nodes: readonly KilnNode[],
  edges: readonly KilnEdge[],
  heights: (n: KilnNode) => number,
): Promise<KilnNode[]> {
  const graph = await (
    await loadElk()
  ).layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
    },
    children: nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: heights(n) })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const at = new Map((graph.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
  return nodes.map((n) => ({ ...n, position: at.get(n.id) ?? n.position }));
}
