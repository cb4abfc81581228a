import type { ELK as Elk } from 'elkjs/lib/elk.bundled.js';
import type { KilnEdge, KilnNode } from './spec-graph';

// elkjs is over a megabyte: loaded on the first layout, not with the studio.
let elk: Promise<Elk> | undefined;
const loadElk = () => (elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK()));

/** The size assumed for a node the canvas has not measured yet. */
export const UNMEASURED = { width: 240, height: 120 } as const;
/** Space between a pipeline's placed nodes and the ones placed beside them. */
const GAP = 80;

const sizeOf = (n: KilnNode) => ({
  width: n.measured?.width ?? n.width ?? UNMEASURED.width,
  height: n.measured?.height ?? n.height ?? UNMEASURED.height,
});

/** Whether a node came without a position (from a spec written by hand or `kiln apply`). */
export const unplaced = (n: KilnNode): boolean => !n.data.spec.position;

/**
 * Left-to-right layered layout (elkjs) sized by the nodes' measured boxes; returns the nodes with
 * new positions. With `onlyUnplaced`, nodes that have a position keep it and the others are laid
 * out together to the right of them.
 */
export async function autoLayout(
  nodes: readonly KilnNode[],
  edges: readonly KilnEdge[],
  options: { onlyUnplaced?: boolean } = {},
): Promise<KilnNode[]> {
  const graph = await (
    await loadElk()
  ).layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(GAP),
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: nodes.map((n) => ({ id: n.id, ...sizeOf(n) })),
    edges: edges
      .filter((e) => e.source !== e.target)
      .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const at = new Map((graph.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
  const moved = options.onlyUnplaced ? nodes.filter(unplaced) : nodes;
  const movedIds = new Set(moved.map((n) => n.id));
  const kept = nodes.filter((n) => !movedIds.has(n.id));
  // New nodes go right of the placed ones, in their own layered order.
  const right = kept.length ? Math.max(...kept.map((n) => n.position.x + sizeOf(n).width)) + GAP : 0;
  const top = kept.length ? Math.min(...kept.map((n) => n.position.y)) : 0;
  const minX = Math.min(...moved.map((n) => at.get(n.id)?.x ?? 0));
  const minY = Math.min(...moved.map((n) => at.get(n.id)?.y ?? 0));
  return nodes.map((n) => {
    const p = at.get(n.id);
    if (!p || !movedIds.has(n.id)) return n;
    return { ...n, position: kept.length ? { x: right + p.x - minX, y: top + p.y - minY } : p };
  });
}
