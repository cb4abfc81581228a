import { useCallback, useEffect, useRef, useState } from 'react';
import { type FitViewOptions, useNodesInitialized, useReactFlow } from '@xyflow/react';
import { autoLayout, unplaced } from './layout';
import type { KilnEdge, KilnNode } from './spec-graph';

/** The canvases' smallest zoom (React Flow's default is 0.5, too close for a wide pipeline). */
export const MIN_ZOOM = 0.1;

/** Zoom out far enough to show a whole pipeline on opening, never in beyond 1. */
export const FIT_ALL = { maxZoom: 1, minZoom: MIN_ZOOM };

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
  const fitSoon = useFitSoon();
  useEffect(() => {
    if (!pending || !measured) return;
    let live = true;
    void autoLayout(flow.getNodes(), flow.getEdges(), { onlyUnplaced: !all }).then((laid) => {
      if (!live) return;
      applyRef.current(laid);
      setPending(false);
      fitSoon();
    });
    return () => {
      live = false;
    };
  }, [pending, measured, flow, all, fitSoon]);
  return pending;
}

/**
 * A function that fits the view to every node after the next render: new positions set in state
 * reach React Flow's store in its own effects (children's run first), so this fits the new graph
 * where a fit in the same tick (or the next frame) would fit the old one.
 */
export function useFitSoon(options: FitViewOptions<KilnNode> = FIT_ALL): () => void {
  const flow = useReactFlow<KilnNode, KilnEdge>();
  const [requested, setRequested] = useState(0);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  useEffect(() => {
    if (requested) void flow.fitView(optionsRef.current);
  }, [requested, flow]);
  return useCallback(() => setRequested((n) => n + 1), []);
}
