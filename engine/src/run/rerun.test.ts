import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../spec/schema';
import { UnknownRerunNodesError, rerunReuse } from './rerun';
import type { RunState } from './run-state';

// a → b → d, a → c → d, e alone
const spec = {
  nodes: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, type: 'core.noop' })),
  edges: [
    { from: 'a.out', to: 'b.in' },
    { from: 'a.out', to: 'c.in' },
    { from: 'b.out', to: 'd.x' },
    { from: 'c.out', to: 'd.y' },
  ],
} as Pick<PipelineSpec, 'nodes' | 'edges'>;
const source: Pick<RunState, 'runId' | 'nodes'> = {
  runId: 'src',
  nodes: {
    a: { status: 'cached', attempts: 0, outputs: { out: 1 }, cachedFrom: { runId: 'older', nodeId: 'a' } },
    b: { status: 'succeeded', attempts: 1, outputs: { out: 2 } },
    c: { status: 'failed', attempts: 2, error: { message: 'boom', type: 'Error' } },
    d: { status: 'skipped', attempts: 0, reason: 'upstream node "c" failed' },
    e: { status: 'succeeded', attempts: 1, outputs: {}, reason: 'gate rejected' },
  },
};

describe('re-run reuse selection', () => {
  it('from failed reuses every node that succeeded or was cached, keeping where it came from', () => {
    expect(rerunReuse(spec, source, 'failed')).toEqual({
      a: { outputs: { out: 1 }, from: { runId: 'older', nodeId: 'a' } },
      b: { outputs: { out: 2 }, from: { runId: 'src', nodeId: 'b' } },
      e: { outputs: {}, from: { runId: 'src', nodeId: 'e' }, skipDownstream: { reason: 'gate rejected' } },
    });
  });

  it('from nodes re-runs them and everything downstream', () => {
    expect(Object.keys(rerunReuse(spec, source, ['b']))).toEqual(['a', 'e']);
    expect(Object.keys(rerunReuse(spec, source, ['a']))).toEqual(['e']);
    expect(Object.keys(rerunReuse(spec, source, ['e', 'd']))).toEqual(['a', 'b']);
    expect(Object.keys(rerunReuse(spec, source, []))).toEqual(['a', 'b', 'e']);
  });

  it('names the node ids the pipeline lacks', () => {
    expect(() => rerunReuse(spec, source, ['b', 'zz', 'yy'])).toThrow(UnknownRerunNodesError);
    expect(() => rerunReuse(spec, source, ['zz', 'yy'])).toThrow('the pipeline has no nodes "zz", "yy"');
  });
});
