import { useMemo, useRef } from 'react';
import { type PipelineLayout, type PipelineSpec, canonicalJson, splitLayout } from '@kiln/engine';
import { type KilnEdge, type KilnNode, type PipelineMeta, graphToSpec } from '../graph/spec-graph';

/** What the editor edits: the pipeline fields the canvas does not draw, and the canvas. */
export interface Doc {
  meta: PipelineMeta;
  nodes: KilnNode[];
  edges: KilnEdge[];
}

/** The doc as a spec, with the nodes' current (rounded) positions: for saving, running and export. */
export const specOf = (doc: Doc): PipelineSpec => graphToSpec(doc.meta, doc.nodes, doc.edges);

/** A spec without node positions: what validation and a pipeline's identity depend on. */
export const withoutPositions = (spec: PipelineSpec): PipelineSpec => splitLayout(spec).spec;

/** Node positions, rounded as saved, by node id. */
export const layoutOf = (nodes: readonly KilnNode[]): PipelineLayout =>
  Object.fromEntries(nodes.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }]));

/** Whether two docs hold the same spec but for node positions and selection (the same node specs and edges). */
export function sameStructure(a: Doc, b: Doc): boolean {
  return (
    a.meta === b.meta &&
    a.nodes.length === b.nodes.length &&
    a.edges.length === b.edges.length &&
    a.nodes.every((n, i) => n.id === b.nodes[i]!.id && n.data === b.nodes[i]!.data) &&
    a.edges.every((e, i) => e.id === b.edges[i]!.id)
  );
}

/**
 * The doc's spec without positions, kept (the same object) while only positions or the selection
 * change: dragging, panning and selecting cost no spec conversion or validation, however big the pipeline.
 */
export function useStructure(doc: Doc): PipelineSpec {
  const cache = useRef<{ doc: Doc; spec: PipelineSpec }>(undefined);
  if (!cache.current || !sameStructure(cache.current.doc, doc))
    cache.current = { doc, spec: withoutPositions(specOf(doc)) };
  return cache.current.spec;
}

/** Whether node positions (rounded, as saved) differ from a saved layout, or a node is not in it. */
export function positionsDiffer(nodes: readonly KilnNode[], saved: PipelineLayout): boolean {
  return nodes.some((n) => {
    const at = saved[n.id];
    return !at || at.x !== Math.round(n.position.x) || at.y !== Math.round(n.position.y);
  });
}

/**
 * What differs from the saved pipeline (saved null: never saved). `structure`: the spec without
 * positions, a new version when saved; it is compared as canonical JSON only when it changes.
 * `layout`: node positions only (saved apart from versions, never blocks a run); compared on every
 * render, which is cheap.
 */
export function useDirty(
  structure: PipelineSpec,
  nodes: readonly KilnNode[],
  saved: PipelineSpec | null,
  savedLayout: PipelineLayout,
): { structure: boolean; layout: boolean } {
  const structureChanged = useMemo(
    () => saved === null || canonicalJson(structure) !== canonicalJson(withoutPositions(saved)),
    [structure, saved],
  );
  return { structure: structureChanged, layout: positionsDiffer(nodes, savedLayout) };
}
