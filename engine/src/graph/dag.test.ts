import { describe, expect, it } from 'vitest';
import { buildDag, descendants, findCycles } from './dag';

const nodes = (...ids: string[]) => ids.map((id) => ({ id, type: 'core.noop' }));

describe('the DAG', () => {
  it('links port edges, ordering edges and $output references', () => {
    const dag = buildDag({
      nodes: [...nodes('a', 'b'), { id: 'c', type: 'x.y', params: { v: { $output: 'a.out' } } }],
      edges: [{ from: 'a.out', to: 'b.in' }],
    });
    expect([...dag.preds.get('b')!]).toEqual(['a']);
    expect([...dag.preds.get('c')!]).toEqual(['a']);
    expect(dag.inputs.get('b')!.get('in')).toEqual({ node: 'a', port: 'out' });
    expect([...descendants(dag, 'a')].sort()).toEqual(['b', 'c']);
  });

  it('finds one cycle per strongly connected component, along real edges', () => {
    const dag = buildDag({
      nodes: nodes('a', 'b', 'c', 'd', 'e', 'f'),
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'b' },
        { from: 'c', to: 'd' },
        { from: 'd', to: 'e' },
        { from: 'e', to: 'd' },
      ],
    });
    expect(findCycles(dag)).toEqual([
      ['d', 'e'],
      ['b', 'c'],
    ]);
  });

  it('handles a 100,000-node chain without recursion limits', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `n${i}`);
    const edges = ids.slice(1).map((id, i) => ({ from: ids[i]!, to: id }));
    expect(findCycles(buildDag({ nodes: nodes(...ids), edges }))).toEqual([]);
    const looped = buildDag({ nodes: nodes(...ids), edges: [...edges, { from: 'n99999', to: 'n0' }] });
    expect(findCycles(looped)[0]).toHaveLength(100_000);
  });
});
