import { describe, expect, it } from 'vitest';
import { type PipelineSpec, validateSpec } from '@kiln/engine';
import { edgeSpecOf, freshNodeId, graphToSpec, specToGraph } from './spec-graph';
import { refuseConnection } from './connection-check';
import { type NodeTypeJson, browserCatalog } from '../api/catalog';

const spec: PipelineSpec = {
  apiVersion: 'kiln/v1',
  name: 'mixed',
  description: 'd',
  maxParallel: 2,
  nodes: [
    { id: 'load', type: 'ml.load', position: { x: 10, y: 20 } },
    {
      id: 'train',
      type: 'ml.train',
      params: { epochs: 3 },
      retry: { maxAttempts: 2 },
      position: { x: 300, y: 20 },
    },
    { id: 'done', type: 'core.noop', position: { x: 600, y: 20 } },
  ],
  edges: [
    { from: 'load.dataset', to: 'train.data' },
    { from: 'train', to: 'done' },
  ],
};

const types: Record<string, NodeTypeJson> = {
  'ml.load': {
    type: 'ml.load',
    version: 1,
    category: 'ml',
    title: 'Load',
    description: '',
    inputs: {},
    outputs: { dataset: { type: 'Dataset', schema: {} }, meta: { type: 'Json', schema: {} } },
    capabilities: [],
    paramsJsonSchema: {},
  },
  'ml.train': {
    type: 'ml.train',
    version: 1,
    category: 'ml',
    title: 'Train',
    description: '',
    inputs: { data: { type: 'Dataset', schema: {} }, extra: { type: 'Json', schema: {} } },
    outputs: { model: { type: 'Model', schema: {} } },
    capabilities: [],
    paramsJsonSchema: {},
  },
  'core.noop': {
    type: 'core.noop',
    version: 1,
    category: 'core',
    title: 'No-op',
    description: '',
    inputs: {},
    outputs: {},
    capabilities: [],
    paramsJsonSchema: {},
  },
};

describe('spec ↔ graph', () => {
  it('converts a spec to canvas nodes and edges with port handles, and back to the same spec', () => {
    const g = specToGraph(spec);
    expect(g.meta).toEqual({ apiVersion: 'kiln/v1', name: 'mixed', description: 'd', maxParallel: 2 });
    expect(g.nodes.map((n) => [n.id, n.position])).toEqual([
      ['load', { x: 10, y: 20 }],
      ['train', { x: 300, y: 20 }],
      ['done', { x: 600, y: 20 }],
    ]);
    expect(g.edges).toEqual([
      {
        id: 'load.dataset->train.data',
        source: 'load',
        target: 'train',
        sourceHandle: 'out:dataset',
        targetHandle: 'in:data',
      },
      {
        id: 'train->done',
        source: 'train',
        target: 'done',
        sourceHandle: 'out:__order',
        targetHandle: 'in:__order',
      },
    ]);
    expect(graphToSpec(g.meta, g.nodes, g.edges)).toEqual(spec);
  });

  it('gives nodes without a position one, and writes moved positions back rounded', () => {
    const g = specToGraph({ apiVersion: 'kiln/v1', name: 'n', nodes: [{ id: 'a', type: 'core.noop' }] });
    g.nodes[0]!.position = { x: 1.4, y: 2.6 };
    expect(graphToSpec(g.meta, g.nodes, g.edges).nodes[0]).toEqual({
      id: 'a',
      type: 'core.noop',
      position: { x: 1, y: 3 },
    });
  });

  it('names new nodes after their type with the first free number', () => {
    expect(freshNodeId('core.command', new Set(['command_1']))).toBe('command_2');
    expect(freshNodeId('x.3d', new Set())).toBe('_3d_1');
  });
});

describe('connection checks', () => {
  const catalog = browserCatalog(Object.values(types));
  const attempt = (source: string, from: string, target: string, to: string, on: PipelineSpec = spec) =>
    refuseConnection({ source, sourceHandle: `out:${from}`, target, targetHandle: `in:${to}` }, on, specToGraph(on).edges, catalog);
  /** What the engine's validator says of the whole graph with the connection drawn, beyond what it said before. */
  const validatorSays = (source: string, from: string, target: string, to: string, on: PipelineSpec) => {
    const before = new Set(validateSpec(on, catalog).problems.map((p) => p.message));
    const edge = edgeSpecOf(source, `out:${from}`, target, `in:${to}`);
    const after = validateSpec({ ...on, edges: [...(on.edges ?? []), edge] }, catalog).problems;
    return after.map((p) => p.message).filter((m) => !before.has(m));
  };
  /** The canvas refuses, and its sentence is one the validator gives for the same graph. */
  const refusedAsValidated = (source: string, from: string, target: string, to: string, on: PipelineSpec = spec) => {
    const refused = attempt(source, from, target, to, on);
    expect(refused).toBeDefined();
    expect(validatorSays(source, from, target, to, on)).toContain(refused);
    return refused;
  };

  it('refuses a port type mismatch, in the validator’s words', () => {
    expect(refusedAsValidated('load', 'meta', 'train', 'data')).toBe('output "load.meta" is a Json but input "train.data" takes a Dataset');
  });
  it('refuses a second source for an input', () => {
    const twoLoads = { ...spec, nodes: [...spec.nodes, { id: 'load2', type: 'ml.load' }] };
    expect(refusedAsValidated('load2', 'dataset', 'train', 'data', twoLoads)).toBe(
      'input "train.data" is already fed by edges[0] (load.dataset); an input takes one source',
    );
  });
  it('refuses a cycle, naming it as the validator does', () => {
    expect(refusedAsValidated('done', '__order', 'load', '__order')).toBe('cycle: load → train → done → load');
  });
  it('counts $output references in cycles, as the run does', () => {
    // `done` reads load's output through a param: load → done is a dependency without an edge.
    const viaParam: PipelineSpec = {
      apiVersion: 'kiln/v1',
      name: 'refs',
      params: { type: 'object', properties: {} },
      nodes: [
        { id: 'load', type: 'ml.load' },
        { id: 'done', type: 'core.noop', params: { x: { $output: 'load.meta' } } },
      ],
      edges: [],
    };
    expect(refusedAsValidated('done', '__order', 'load', '__order', viaParam)).toBe('cycle: load → done → load');
  });
  it('refuses data to order handles and self-loops', () => {
    expect(refusedAsValidated('load', 'meta', 'done', '__order')).toMatch(/mixes a node and a port/);
    expect(refusedAsValidated('load', '__order', 'load', '__order')).toBe('cycle: load → load');
  });
  it('accepts a compatible connection, and refuses one already drawn', () => {
    expect(attempt('load', 'meta', 'train', 'extra')).toBeUndefined();
    expect(attempt('train', '__order', 'done', '__order')).toBe('"train" and "done" are already connected that way');
  });
});
