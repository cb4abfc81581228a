import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '@kiln/engine';
import { applyNodeChanges } from '@xyflow/react';
import { specToGraph } from '../graph/spec-graph';
import { layoutOf, positionsDiffer, sameStructure, specOf, withoutPositions } from './canvas-spec';

const spec: PipelineSpec = {
  apiVersion: 'kiln/v1',
  name: 'p',
  nodes: [
    { id: 'a', type: 'core.noop', position: { x: 0, y: 0 } },
    { id: 'b', type: 'core.command', params: { command: 'true' }, position: { x: 300, y: 0 } },
  ],
  edges: [{ from: 'a', to: 'b' }],
};

describe('canvas spec', () => {
  it('keeps the structure through drags and selection, and not through edits', () => {
    const doc = specToGraph(spec);
    const dragged = {
      ...doc,
      nodes: applyNodeChanges(
        [
          { type: 'position', id: 'a', position: { x: 40.4, y: 10 }, dragging: true },
          { type: 'select', id: 'b', selected: true },
        ],
        doc.nodes,
      ),
    };
    expect(sameStructure(doc, dragged)).toBe(true);
    const edited = {
      ...doc,
      nodes: doc.nodes.map((n) =>
        n.id === 'b' ? { ...n, data: { spec: { ...n.data.spec, title: 'B' } } } : n,
      ),
    };
    expect(sameStructure(doc, edited)).toBe(false);
    expect(sameStructure(doc, { ...doc, edges: [] })).toBe(false);
    expect(sameStructure(doc, { ...doc, meta: { ...doc.meta, name: 'q' } })).toBe(false);
  });

  it('drops positions for validation and compares them, rounded, for unsaved changes', () => {
    const doc = specToGraph(spec);
    expect(withoutPositions(specOf(doc)).nodes).toEqual([
      { id: 'a', type: 'core.noop' },
      { id: 'b', type: 'core.command', params: { command: 'true' } },
    ]);
    const saved = layoutOf(doc.nodes);
    expect(saved).toEqual({ a: { x: 0, y: 0 }, b: { x: 300, y: 0 } });
    expect(positionsDiffer(doc.nodes, saved)).toBe(false);
    const nudged = doc.nodes.map((n) => (n.id === 'a' ? { ...n, position: { x: 0.4, y: 0 } } : n));
    expect(positionsDiffer(nudged, saved)).toBe(false);
    const moved = doc.nodes.map((n) => (n.id === 'a' ? { ...n, position: { x: 12, y: 0 } } : n));
    expect(positionsDiffer(moved, saved)).toBe(true);
    expect(positionsDiffer(doc.nodes, {})).toBe(true);
  });
});
