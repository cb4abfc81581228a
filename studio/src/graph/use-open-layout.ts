import { useEffect, useRef, useState } from 'react';
import { useNodesInitialized, useReactFlow } from '@xyflow/react';
import { autoLayout, unplaced } from './layout';
import type { KilnEdge, KilnNode } from './spec-graph';

/**
 * Lays out a pipeline opened with nodes that have no position (as `kiln apply` registers them):
 * once React Flow has measured every node, elkjs places the unplaced ones left to right by their
 * real sizes (`all`: every node), `apply` takes the positions, and the view is fitted. Returns
 * whether that is still pending (draw the canvas hidden meanwhile). Runs once per mount.
 */
export function useOpenLayout(
  nodes: readonly KilnNode[],
  apply: (laid: KilnNode[]) => void,
  options: { all?: boolean } = {},
): boolean {
  const all = options.all ?? false;
  const [pending, setPending] = useState(() => nodes.length > 0 && (all || nodes.some(unplaced)));
  const measured = useNodesInitialized();
  const flow = useReactFlow<KilnNode, KilnEdge>();
  const applyRef = useRef(apply);
  applyRef.current = apply;
  useEffect(() => {
    if (!pending || !measured) return;
    let live = true;
    void autoLayout(flow.getNodes(), flow.getEdges(), { onlyUnplaced: !all }).then((laid) => {
      if (!live) return;
      applyRef.current(laid);
      setPending(false);
      window.requestAnimationFrame(() => void flow.fitView({ maxZoom: 1 }));
    });
    return () => {
      live = false;
    };
  }, [pending, measured, flow, all]);
  return pending;
}
