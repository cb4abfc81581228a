import { useMemo, useRef } from 'react';
import { type NodeSpec, type PipelineSpec, canonicalJson } from '@kiln/engine';
import { type KilnEdge, type KilnNode, type PipelineMeta, graphToSpec } from '../graph/spec-graph';

/** What the editor edits: the pipeline fields the canvas does not draw, and the canvas. */
export interface Doc {
  meta: PipelineMeta;
  nodes: KilnNode[];
  edges: KilnEdge[];
}

/** The doc as a spec, with the nodes' current (rounded) positions: for saving, running and export. */
export const specOf = (doc: Doc): PipelineSpec => graphToSpec(doc.meta, doc.nodes, doc.edges);

/** A spec without node positions: what validation depends on. */
export function withoutPositions(spec: PipelineSpec): PipelineSpec {
  return { ...spec, nodes: spec.nodes.map(({ position: _position, ...node }) => node) };
}

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

/** Whether node positions (rounded, as saved) differ from the saved spec's, or a node is not in it. */
export function positionsDiffer(
  nodes: readonly KilnNode[],
  savedPositions: ReadonlyMap<string, NodeSpec['position']>,
): boolean {
  return nodes.some((n) => {
    const at = savedPositions.get(n.id);
    return !at || at.x !== Math.round(n.position.x) || at.y !== Math.round(n.position.y);
  });
}

/**
 * Whether the canvas differs from the saved spec (null: never saved). The structure is compared as
 * canonical JSON only when it changes; positions are compared on every render, which is cheap.
 */
export function useDirty(
  structure: PipelineSpec,
  nodes: readonly KilnNode[],
  saved: PipelineSpec | null,
): boolean {
  const structureChanged = useMemo(
    () => saved === null || canonicalJson(structure) !== canonicalJson(withoutPositions(saved)),
    [structure, saved],
  );
  const savedPositions = useMemo(() => new Map(saved?.nodes.map((n) => [n.id, n.position])), [saved]);
  return structureChanged || positionsDiffer(nodes, savedPositions);
}
