import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '@kiln/engine';
import { diffSpecs, diffSummary } from './spec-diff';

const v1: PipelineSpec = {
  apiVersion: 'kiln/v1',
  name: 'p',
  nodes: [
    { id: 'a', type: 'core.command', params: { command: 'echo a' }, position: { x: 0, y: 0 } },
    { id: 'b', type: 'core.command', params: { command: 'echo b' } },
    { id: 'c', type: 'core.command', params: { command: 'echo c' } },
  ],
  edges: [
    { from: 'a', to: 'b' },
    { from: 'b', to: 'c' },
  ],
};

describe('diffSpecs', () => {
  it('finds nothing between a spec and itself, ignoring node positions', () => {
    const moved = structuredClone(v1);
    moved.nodes[0]!.position = { x: 500, y: 90 };
    const diff = diffSpecs(v1, moved);
    expect(Object.values(diff.nodes)).toEqual(['same', 'same', 'same']);
    expect(Object.values(diff.edges)).toEqual(['same', 'same']);
    expect(diff.pipelineFields).toEqual([]);
    expect(diffSummary(diff)).toEqual({ added: 0, removed: 0, changed: 0, edges: 0 });
  });

  it('marks added, removed and changed nodes and edges, and keeps removed ones in the merged spec', () => {
    const v2: PipelineSpec = {
      apiVersion: 'kiln/v1',
      name: 'p2',
      nodes: [
        { id: 'a', type: 'core.command', params: { command: 'echo A' }, retry: { maxAttempts: 2 } },
        { id: 'b', type: 'core.command', params: { command: 'echo b' } },
        { id: 'd', type: 'core.command', params: { command: 'echo d' } },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'd' },
      ],
    };
    const diff = diffSpecs(v1, v2);
    expect(diff.nodes).toEqual({ a: 'changed', b: 'same', c: 'removed', d: 'added' });
    expect(diff.changedFields).toEqual({ a: ['params', 'retry'] });
    expect(diff.edges).toEqual({ 'a->b': 'same', 'b->d': 'added', 'b->c': 'removed' });
    expect(diff.pipelineFields).toEqual(['name']);
    expect(diff.merged.nodes.map((n) => n.id)).toEqual(['a', 'b', 'd', 'c']);
    expect(diff.merged.edges?.map((e) => `${e.from}->${e.to}`)).toEqual(['a->b', 'b->d', 'b->c']);
    expect(diffSummary(diff)).toEqual({ added: 1, removed: 1, changed: 1, edges: 2 });
  });

  it('tells edges apart by their ports and treats a missing edge list as empty', () => {
    const a: PipelineSpec = { ...v1, edges: [{ from: 'a.out', to: 'b.in' }] };
    const b: PipelineSpec = { ...v1, edges: undefined as never };
    expect(diffSpecs(a, b).edges).toEqual({ 'a.out->b.in': 'removed' });
    expect(diffSpecs(b, a).edges).toEqual({ 'a.out->b.in': 'added' });
  });
});
