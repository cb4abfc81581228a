import { describe, expect, it } from 'vitest';
import { pipelineHash, splitLayout, withLayout } from './layout';
import type { PipelineSpec } from './schema';

const spec = (positions: boolean): PipelineSpec => ({
  apiVersion: 'kiln/v1',
  name: 'p',
  nodes: [
    {
      id: 'a',
      type: 'core.command',
      params: { command: 'echo a' },
      ...(positions ? { position: { x: 10, y: 20 } } : {}),
    },
    { id: 'b', type: 'core.command', params: { command: 'echo b' } },
  ],
  edges: [{ from: 'a', to: 'b' }],
});

describe('layout apart from identity', () => {
  it('splits positions off a spec and puts them back by node id', () => {
    const { spec: bare, layout } = splitLayout(spec(true));
    expect(layout).toEqual({ a: { x: 10, y: 20 } });
    expect(bare.nodes.every((n) => n.position === undefined)).toBe(true);
    expect(withLayout(bare, { ...layout, gone: { x: 1, y: 1 } })).toEqual(spec(true));
    expect(withLayout(bare, null)).toBe(bare);
  });

  it('gives specs that differ only in positions the same hash, and others a different one', () => {
    expect(pipelineHash(spec(true))).toBe(pipelineHash(spec(false)));
    const moved = spec(true);
    moved.nodes[0]!.position = { x: 500, y: -3 };
    expect(pipelineHash(moved)).toBe(pipelineHash(spec(false)));
    const changed = spec(false);
    changed.nodes[1]!.params = { command: 'echo c' };
    expect(pipelineHash(changed)).not.toBe(pipelineHash(spec(false)));
  });
});
