import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '@kiln/engine';
import { copySelection, pasteClip } from './clipboard';
import { specToGraph } from './spec-graph';

const spec: PipelineSpec = {
  apiVersion: 'kiln/v1',
  name: 'p',
  nodes: [
    { id: 'file_1', type: 'ingest.file', params: { uri: 'a.csv' }, position: { x: 0, y: 0 } },
    { id: 'tabular_1', type: 'validate.tabular', position: { x: 300, y: 0 } },
    { id: 'command_1', type: 'core.command', params: { command: 'echo' }, position: { x: 600, y: 0 } },
  ],
  edges: [
    { from: 'file_1.dataset', to: 'tabular_1.dataset' },
    { from: 'tabular_1', to: 'command_1' },
  ],
};

describe('copy and paste of nodes', () => {
  it('copies the selected nodes and only the edges between them', () => {
    const g = specToGraph(spec);
    const nodes = g.nodes.map((n) => ({ ...n, selected: n.id !== 'command_1' }));
    const clip = copySelection(nodes, g.edges);
    expect(clip.nodes.map((n) => n.id)).toEqual(['file_1', 'tabular_1']);
    expect(clip.edges).toEqual([{ from: 'file_1.dataset', to: 'tabular_1.dataset' }]);
  });

  it('pastes with fresh ids, shifted, its edges renamed along', () => {
    const g = specToGraph(spec);
    const clip = copySelection(
      g.nodes.map((n) => ({ ...n, selected: n.id !== 'command_1' })),
      g.edges,
    );
    const pasted = pasteClip(clip, new Set(spec.nodes.map((n) => n.id)));
    expect(pasted.nodes.map((n) => [n.id, n.type, n.position, n.params])).toEqual([
      ['file_2', 'ingest.file', { x: 40, y: 140 }, { uri: 'a.csv' }],
      ['tabular_2', 'validate.tabular', { x: 340, y: 140 }, undefined],
    ]);
    expect(pasted.edges).toEqual([{ from: 'file_2.dataset', to: 'tabular_2.dataset' }]);
    // The clip itself is untouched, so pasting twice makes two copies.
    const again = pasteClip(clip, new Set([...spec.nodes.map((n) => n.id), 'file_2', 'tabular_2']));
    expect(again.nodes.map((n) => n.id)).toEqual(['file_3', 'tabular_3']);
    expect(clip.nodes[0]!.id).toBe('file_1');
  });
});
